// Generated from docs/openapi.json by openapi-typescript (npm run openapi). Do not edit.
export interface paths {
    "/_admin/accounts/{account_id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                account_id: string;
            };
            cookie?: never;
        };
        /** An account's plan and the limits in force */
        get: operations["getAccount"];
        /**
         * Create an account or change its plan and limits
         * @description Answers once no lease granted under the old plan or limits is current (up to AUTH_LEASE_MS).
         */
        put: operations["putAccount"];
        post?: never;
        /**
         * Close an account: every key refused at once, its data erased, account.closed delivered
         * @description Answers once no lease on any of its keys is current (up to AUTH_LEASE_MS).
         */
        delete: operations["closeAccount"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/_admin/accounts/{account_id}/usage": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                account_id: string;
            };
            cookie?: never;
        };
        /** Requests each key admitted and refused, per UTC hour or day */
        get: operations["getUsage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/_admin/accounts/{account_id}/events": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                account_id: string;
            };
            cookie?: never;
        };
        /** The account's events, oldest first */
        get: operations["listEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/_admin/accounts/{account_id}/keys": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                account_id: string;
            };
            cookie?: never;
        };
        /** The account's keys, by hint: never a key or its hash */
        get: operations["listKeys"];
        put?: never;
        /** Create a key: the only time the key is shown */
        post: operations["createKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/_admin/accounts/{account_id}/keys/{key_id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                account_id: string;
                key_id: string;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke a key, strongly; revoking again answers the same revoked_at */
        delete: operations["revokeKey"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/_admin/accounts/{account_id}/keys/{key_id}/roll": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                account_id: string;
                key_id: string;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Roll a key: a new key copying the old; the old one expires after the grace period */
        post: operations["rollKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/_admin/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This document */
        get: operations["openapi"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/_partners/github/secret-scanning": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** GitHub secret-scanning partner alerts: revoke leaked keys */
        post: operations["reportLeakedKeys"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/api-keys/current": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The calling key (scope usage:read), answered by the edge; Cache-Control: no-store */
        get: operations["currentKey"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/{route}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Any route of the route table (docs/api.md, README); this entry describes what every one of them shares. */
                route: string;
            };
            cookie?: never;
        };
        /** A /v1 request: forwarded to the origin once the key, the route, the plan, the scopes and the limits allow it */
        get: operations["v1"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Account: {
            account_id: string;
            /**
             * @description The account's plan.
             * @enum {string}
             */
            plan: "starter" | "pro" | "agency";
            /** @description The limits in force. */
            limits: {
                per_minute: number | null;
                per_day: number | null;
            };
        };
        Closed: {
            account_id: string;
            /**
             * Format: date-time
             * @description RFC 3339 UTC (Z).
             */
            closed_at: string;
            /** @description Keys still active when the account was closed. */
            keys_revoked: number;
        };
        CreatedKey: {
            id: string;
            /** @description The full key: shown here only, never again. */
            key: string;
            name: string | null;
            /** @description Sorted, without duplicates. */
            scopes: ("competitors:read" | "competitors:write" | "business:write" | "alerts:read" | "alerts:write" | "usage:read" | "export" | "webhooks:manage" | "content:write" | "chat:write" | "reports:write" | "reviews:write" | "social:write" | "embeds:write" | "notifications:write" | "payments:write" | "contacts:write")[];
            /**
             * Format: date-time
             * @description RFC 3339 UTC (Z).
             */
            created_at: string;
            expires_at: string | null;
            rate_limit_per_minute: number | null;
            allowed_ips: string[] | null;
            /**
             * @description live: the origin; test: the sandbox origin, with windows of its own.
             * @enum {string}
             */
            mode: "live" | "test";
        };
        CurrentKey: {
            id: string;
            name: string | null;
            account_id: string;
            /** @description Sorted, without duplicates. */
            scopes: ("competitors:read" | "competitors:write" | "business:write" | "alerts:read" | "alerts:write" | "usage:read" | "export" | "webhooks:manage" | "content:write" | "chat:write" | "reports:write" | "reviews:write" | "social:write" | "embeds:write" | "notifications:write" | "payments:write" | "contacts:write")[];
            /**
             * @description The account's plan.
             * @enum {string}
             */
            plan: "starter" | "pro" | "agency";
            hint: string;
            /**
             * Format: date-time
             * @description RFC 3339 UTC (Z).
             */
            created_at: string;
            expires_at: string | null;
            last_used_at: string | null;
            rate_limit_per_minute: number | null;
            allowed_ips: string[] | null;
            limits: {
                per_minute: number | null;
                per_day: number | null;
            };
            /**
             * @description live: the origin; test: the sandbox origin, with windows of its own.
             * @enum {string}
             */
            mode: "live" | "test";
        };
        Event: {
            id: string;
            /** @enum {string} */
            type: "account.created" | "account.updated" | "key.created" | "key.rolled" | "key.revoked" | "key.expiring" | "key.expired" | "quota.exhausted" | "account.closed";
            account_id: string;
            /**
             * Format: date-time
             * @description RFC 3339 UTC (Z).
             */
            created_at: string;
            actor: string | null;
            data: {
                [key: string]: unknown;
            };
        };
        EventPage: {
            events: components["schemas"]["Event"][];
            /** @description The last event's id when more may follow, else null. */
            next: string | null;
        };
        KeyList: {
            keys: components["schemas"]["ListedKey"][];
        };
        LeakAnswer: {
            /** @description SHA-256 hex of the token. */
            token_hash: string;
            token_type: string | null;
            /** @enum {string} */
            label: "true_positive" | "false_positive";
        }[];
        LeakReport: {
            token: string;
            type?: string;
            url?: string;
            source?: string;
        }[];
        ListedKey: {
            id: string;
            name: string | null;
            /** @description Sorted, without duplicates. */
            scopes: ("competitors:read" | "competitors:write" | "business:write" | "alerts:read" | "alerts:write" | "usage:read" | "export" | "webhooks:manage" | "content:write" | "chat:write" | "reports:write" | "reviews:write" | "social:write" | "embeds:write" | "notifications:write" | "payments:write" | "contacts:write")[];
            /** @description The prefix, … and the last 4 characters. */
            hint: string;
            /**
             * Format: date-time
             * @description RFC 3339 UTC (Z).
             */
            created_at: string;
            expires_at: string | null;
            revoked_at: string | null;
            last_used_at: string | null;
            rate_limit_per_minute: number | null;
            allowed_ips: string[] | null;
            revoked_reason: ("revoked" | "leaked") | null;
            rolled_from: string | null;
            rolled_to: string | null;
            leak: {
                url: string | null;
                source: string | null;
                /**
                 * Format: date-time
                 * @description RFC 3339 UTC (Z).
                 */
                reported_at: string;
            } | null;
            /**
             * @description live: the origin; test: the sandbox origin, with windows of its own.
             * @enum {string}
             */
            mode: "live" | "test";
        };
        NewKeyBody: {
            name?: string | null;
            /** @description Default: competitors:read, alerts:read, usage:read. */
            scopes?: ("competitors:read" | "competitors:write" | "business:write" | "alerts:read" | "alerts:write" | "usage:read" | "export" | "webhooks:manage" | "content:write" | "chat:write" | "reports:write" | "reviews:write" | "social:write" | "embeds:write" | "notifications:write" | "payments:write" | "contacts:write")[];
            /** @description In the future; RFC 3339, any offset. */
            expires_at?: string | null;
            rate_limit_per_minute?: number | null;
            allowed_ips?: string[] | null;
            /**
             * @description Default live; a test key starts with TEST_KEY_PREFIX.
             * @enum {string}
             */
            mode?: "live" | "test";
        };
        PlanBody: {
            /**
             * @description The account's plan.
             * @enum {string}
             */
            plan: "starter" | "pro" | "agency";
            limits?: {
                /** @description null: no limit per minute; absent: the plan's default. */
                per_minute?: number | null;
                /** @description null: no limit per day; absent: the plan's default. */
                per_day?: number | null;
            } | null;
        };
        /** @description RFC 9457 problem details (application/problem+json). */
        Problem: {
            type: string;
            title: string;
            status: number;
            detail: string;
            code: string;
            request_id: string;
            required_scope?: string;
            granted_scopes?: string[];
            plan?: string;
            invalid_scopes?: string[];
            /** @enum {string} */
            policy?: "key-minute" | "minute" | "day" | "test-minute" | "test-day";
            limit?: number;
            retry_after?: number;
            /**
             * Format: date-time
             * @description RFC 3339 UTC (Z).
             */
            resets_at?: string;
        };
        Revoked: {
            id: string;
            /**
             * Format: date-time
             * @description RFC 3339 UTC (Z).
             */
            revoked_at: string;
        };
        RollBody: {
            /** @description Default 86400. */
            grace_seconds?: number;
            /** @description Default: the old key's name. */
            name?: string | null;
            /** @description Of the new key; default: the old key's lifetime from now, or none. */
            expires_at?: string | null;
        };
        RolledKey: {
            id: string;
            /** @description The full key: shown here only, never again. */
            key: string;
            name: string | null;
            /** @description Sorted, without duplicates. */
            scopes: ("competitors:read" | "competitors:write" | "business:write" | "alerts:read" | "alerts:write" | "usage:read" | "export" | "webhooks:manage" | "content:write" | "chat:write" | "reports:write" | "reviews:write" | "social:write" | "embeds:write" | "notifications:write" | "payments:write" | "contacts:write")[];
            /**
             * Format: date-time
             * @description RFC 3339 UTC (Z).
             */
            created_at: string;
            expires_at: string | null;
            rate_limit_per_minute: number | null;
            allowed_ips: string[] | null;
            /**
             * @description live: the origin; test: the sandbox origin, with windows of its own.
             * @enum {string}
             */
            mode: "live" | "test";
            rolled_from: string;
            old_key: {
                id: string;
                /**
                 * Format: date-time
                 * @description RFC 3339 UTC (Z).
                 */
                expires_at: string;
            };
        };
        Usage: {
            account_id: string;
            key_id: string | null;
            /** @enum {string} */
            granularity: "hour" | "day";
            /**
             * Format: date-time
             * @description RFC 3339 UTC (Z).
             */
            from: string;
            /**
             * Format: date-time
             * @description RFC 3339 UTC (Z).
             */
            to: string;
            /** @description Every bucket, oldest first. */
            buckets: {
                /**
                 * Format: date-time
                 * @description RFC 3339 UTC (Z).
                 */
                start: string;
                admitted: number;
                /** @description Refusals by code (rows 4–9a); only counts above 0; {} when none. */
                refused: {
                    [key: string]: number;
                };
                /** @description The same for test keys' traffic (live traffic is counted apart). */
                test: {
                    admitted: number;
                    /** @description Refusals by code (rows 4–9a); only counts above 0; {} when none. */
                    refused: {
                        [key: string]: number;
                    };
                };
            }[];
            totals: {
                admitted: number;
                /** @description Refusals by code (rows 4–9a); only counts above 0; {} when none. */
                refused: {
                    [key: string]: number;
                };
                /** @description The same for test keys' traffic (live traffic is counted apart). */
                test: {
                    admitted: number;
                    /** @description Refusals by code (rows 4–9a); only counts above 0; {} when none. */
                    refused: {
                        [key: string]: number;
                    };
                };
            };
            /** @description Keys with any count, most admitted first, then by key_id; null with key_id. */
            keys: {
                key_id: string;
                admitted: number;
                /** @description Refusals by code (rows 4–9a); only counts above 0; {} when none. */
                refused: {
                    [key: string]: number;
                };
                /** @description The same for test keys' traffic (live traffic is counted apart). */
                test: {
                    admitted: number;
                    /** @description Refusals by code (rows 4–9a); only counts above 0; {} when none. */
                    refused: {
                        [key: string]: number;
                    };
                };
            }[] | null;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: {
        /** @description The edge's request id; equal to an error's request_id. */
        RequestId: string;
        /** @description e.g. "minute";r=599;t=42, "day";r=99999;t=3600 */
        RateLimit: string;
        /** @description e.g. "minute";q=600;w=60, "day";q=100000;w=86400 */
        RateLimitPolicy: string;
    };
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getAccount: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                account_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The account. */
            200: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Account"];
                };
            };
            /** @description invalid_account_id, invalid_request, invalid_scope (with invalid_scopes) or invalid_plan. */
            400: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description admin_unauthorized: a missing or wrong bearer token (WWW-Authenticate: Bearer). */
            401: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description key_management_forbidden: the request carries X-NearIQ-Key. */
            403: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unknown_route, unknown_account or unknown_key. */
            404: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description payload_too_large: a body over 65,536 bytes. */
            413: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description admin_disabled (ADMIN_TOKEN unset or short) or auth_unavailable (Retry-After). */
            503: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    putAccount: {
        parameters: {
            query?: never;
            header?: {
                /** @description Who made the change, recorded as the events' actor (e.g. the dashboard user's e-mail): 1–200 characters in U+0020–U+007E. */
                "X-NearIQ-Actor"?: string;
            };
            path: {
                account_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PlanBody"];
            };
        };
        responses: {
            /** @description The account with the limits in force. */
            200: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Account"];
                };
            };
            /** @description invalid_account_id, invalid_request, invalid_scope (with invalid_scopes) or invalid_plan. */
            400: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description admin_unauthorized: a missing or wrong bearer token (WWW-Authenticate: Bearer). */
            401: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description key_management_forbidden: the request carries X-NearIQ-Key. */
            403: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unknown_route, unknown_account or unknown_key. */
            404: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description payload_too_large: a body over 65,536 bytes. */
            413: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description admin_disabled (ADMIN_TOKEN unset or short) or auth_unavailable (Retry-After). */
            503: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    closeAccount: {
        parameters: {
            query?: never;
            header?: {
                /** @description Who made the change, recorded as the events' actor (e.g. the dashboard user's e-mail): 1–200 characters in U+0020–U+007E. */
                "X-NearIQ-Actor"?: string;
            };
            path: {
                account_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The close. */
            200: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Closed"];
                };
            };
            /** @description invalid_account_id, invalid_request, invalid_scope (with invalid_scopes) or invalid_plan. */
            400: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description admin_unauthorized: a missing or wrong bearer token (WWW-Authenticate: Bearer). */
            401: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description key_management_forbidden: the request carries X-NearIQ-Key. */
            403: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unknown_route, unknown_account or unknown_key. */
            404: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description payload_too_large: a body over 65,536 bytes. */
            413: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description admin_disabled (ADMIN_TOKEN unset or short) or auth_unavailable (Retry-After). */
            503: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getUsage: {
        parameters: {
            query?: {
                /** @description hour (default) or day. */
                granularity?: "hour" | "day";
                /** @description RFC 3339, inclusive, rounded down to its bucket; default 24 hours or 30 days before to. */
                from?: string;
                /** @description RFC 3339, exclusive, rounded down; default the start of the next bucket. */
                to?: string;
                /** @description Only this key's counts. */
                key_id?: string;
            };
            header?: never;
            path: {
                account_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every bucket of the range, the totals and the keys. */
            200: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Usage"];
                };
            };
            /** @description invalid_account_id, invalid_request, invalid_scope (with invalid_scopes) or invalid_plan. */
            400: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description admin_unauthorized: a missing or wrong bearer token (WWW-Authenticate: Bearer). */
            401: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description key_management_forbidden: the request carries X-NearIQ-Key. */
            403: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unknown_route, unknown_account or unknown_key. */
            404: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description payload_too_large: a body over 65,536 bytes. */
            413: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description admin_disabled (ADMIN_TOKEN unset or short) or auth_unavailable (Retry-After). */
            503: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listEvents: {
        parameters: {
            query?: {
                /** @description Only events after this event id. */
                after?: string;
                /** @description 1–100, default 50. */
                limit?: number;
                /** @description Only events of this type. */
                type?: string;
            };
            header?: never;
            path: {
                account_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of events; next is the last id when more may follow. */
            200: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EventPage"];
                };
            };
            /** @description invalid_account_id, invalid_request, invalid_scope (with invalid_scopes) or invalid_plan. */
            400: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description admin_unauthorized: a missing or wrong bearer token (WWW-Authenticate: Bearer). */
            401: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description key_management_forbidden: the request carries X-NearIQ-Key. */
            403: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unknown_route, unknown_account or unknown_key. */
            404: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description payload_too_large: a body over 65,536 bytes. */
            413: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description admin_disabled (ADMIN_TOKEN unset or short) or auth_unavailable (Retry-After). */
            503: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listKeys: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                account_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The keys. */
            200: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["KeyList"];
                };
            };
            /** @description invalid_account_id, invalid_request, invalid_scope (with invalid_scopes) or invalid_plan. */
            400: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description admin_unauthorized: a missing or wrong bearer token (WWW-Authenticate: Bearer). */
            401: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description key_management_forbidden: the request carries X-NearIQ-Key. */
            403: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unknown_route, unknown_account or unknown_key. */
            404: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description payload_too_large: a body over 65,536 bytes. */
            413: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description admin_disabled (ADMIN_TOKEN unset or short) or auth_unavailable (Retry-After). */
            503: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    createKey: {
        parameters: {
            query?: never;
            header?: {
                /** @description Who made the change, recorded as the events' actor (e.g. the dashboard user's e-mail): 1–200 characters in U+0020–U+007E. */
                "X-NearIQ-Actor"?: string;
            };
            path: {
                account_id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["NewKeyBody"];
            };
        };
        responses: {
            /** @description The new key. */
            201: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedKey"];
                };
            };
            /** @description invalid_account_id, invalid_request, invalid_scope (with invalid_scopes) or invalid_plan. */
            400: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description admin_unauthorized: a missing or wrong bearer token (WWW-Authenticate: Bearer). */
            401: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description key_management_forbidden: the request carries X-NearIQ-Key. */
            403: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unknown_route, unknown_account or unknown_key. */
            404: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description payload_too_large: a body over 65,536 bytes. */
            413: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description admin_disabled (ADMIN_TOKEN unset or short) or auth_unavailable (Retry-After). */
            503: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    revokeKey: {
        parameters: {
            query?: never;
            header?: {
                /** @description Who made the change, recorded as the events' actor (e.g. the dashboard user's e-mail): 1–200 characters in U+0020–U+007E. */
                "X-NearIQ-Actor"?: string;
            };
            path: {
                account_id: string;
                key_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The revocation. */
            200: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Revoked"];
                };
            };
            /** @description invalid_account_id, invalid_request, invalid_scope (with invalid_scopes) or invalid_plan. */
            400: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description admin_unauthorized: a missing or wrong bearer token (WWW-Authenticate: Bearer). */
            401: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description key_management_forbidden: the request carries X-NearIQ-Key. */
            403: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unknown_route, unknown_account or unknown_key. */
            404: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description payload_too_large: a body over 65,536 bytes. */
            413: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description admin_disabled (ADMIN_TOKEN unset or short) or auth_unavailable (Retry-After). */
            503: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    rollKey: {
        parameters: {
            query?: never;
            header?: {
                /** @description Who made the change, recorded as the events' actor (e.g. the dashboard user's e-mail): 1–200 characters in U+0020–U+007E. */
                "X-NearIQ-Actor"?: string;
            };
            path: {
                account_id: string;
                key_id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["RollBody"];
            };
        };
        responses: {
            /** @description The new key, and the old key's new expiry. */
            201: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RolledKey"];
                };
            };
            /** @description invalid_account_id, invalid_request, invalid_scope (with invalid_scopes) or invalid_plan. */
            400: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description admin_unauthorized: a missing or wrong bearer token (WWW-Authenticate: Bearer). */
            401: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description key_management_forbidden: the request carries X-NearIQ-Key. */
            403: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unknown_route, unknown_account or unknown_key. */
            404: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description key_rolled: the key has been rolled already; key_inactive: the key is revoked or expired. */
            409: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description payload_too_large: a body over 65,536 bytes. */
            413: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description admin_disabled (ADMIN_TOKEN unset or short) or auth_unavailable (Retry-After). */
            503: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    openapi: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OpenAPI 3.1 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            /** @description invalid_account_id, invalid_request, invalid_scope (with invalid_scopes) or invalid_plan. */
            400: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description admin_unauthorized: a missing or wrong bearer token (WWW-Authenticate: Bearer). */
            401: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description key_management_forbidden: the request carries X-NearIQ-Key. */
            403: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unknown_route, unknown_account or unknown_key. */
            404: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description payload_too_large: a body over 65,536 bytes. */
            413: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description admin_disabled (ADMIN_TOKEN unset or short) or auth_unavailable (Retry-After). */
            503: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    reportLeakedKeys: {
        parameters: {
            query?: never;
            header: {
                "Github-Public-Key-Identifier": string;
                "Github-Public-Key-Signature": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LeakReport"];
            };
        };
        responses: {
            /** @description One entry per item, in order. */
            200: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LeakAnswer"];
                };
            };
            /** @description invalid_request: not an array of {token, type, url, source}. */
            400: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description invalid_signature: missing headers, unknown key identifier, or a signature that does not verify. */
            401: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description payload_too_large: over 1 MiB or over 1,000 items. */
            413: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description auth_unavailable: GitHub's keys document cannot be had (Retry-After). */
            503: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    currentKey: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The key. */
            200: {
                headers: {
                    RateLimit: components["headers"]["RateLimit"];
                    "RateLimit-Policy": components["headers"]["RateLimitPolicy"];
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CurrentKey"];
                };
            };
            /** @description key_in_url: a key in the query or the path. */
            400: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing_key, invalid_key, revoked_key or expired_key (WWW-Authenticate: NearIQ-Key realm="NearIQ API"). */
            401: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description ip_not_allowed, key_management_forbidden, plan_required (required_scope, plan) or insufficient_scope (required_scope, granted_scopes). */
            403: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unknown_route. */
            404: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description rate_limited: policy, limit, retry_after; Retry-After and the RateLimit headers. */
            429: {
                headers: {
                    RateLimit: components["headers"]["RateLimit"];
                    "RateLimit-Policy": components["headers"]["RateLimitPolicy"];
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description origin_unavailable. */
            502: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description misconfigured, auth_unavailable (Retry-After), or test_mode_unavailable (a test key, no sandbox origin). */
            503: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description origin_timeout. */
            504: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    v1: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Any route of the route table (docs/api.md, README); this entry describes what every one of them shares. */
                route: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The origin's answer, with the edge's X-NearIQ-Request-Id and RateLimit headers. */
            200: {
                headers: {
                    RateLimit: components["headers"]["RateLimit"];
                    "RateLimit-Policy": components["headers"]["RateLimitPolicy"];
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description key_in_url: a key in the query or the path. */
            400: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description missing_key, invalid_key, revoked_key or expired_key (WWW-Authenticate: NearIQ-Key realm="NearIQ API"). */
            401: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description ip_not_allowed, key_management_forbidden, plan_required (required_scope, plan) or insufficient_scope (required_scope, granted_scopes). */
            403: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unknown_route. */
            404: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description rate_limited: policy, limit, retry_after; Retry-After and the RateLimit headers. */
            429: {
                headers: {
                    RateLimit: components["headers"]["RateLimit"];
                    "RateLimit-Policy": components["headers"]["RateLimitPolicy"];
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description origin_unavailable. */
            502: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description misconfigured, auth_unavailable (Retry-After), or test_mode_unavailable (a test key, no sandbox origin). */
            503: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description origin_timeout. */
            504: {
                headers: {
                    "X-NearIQ-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
}
