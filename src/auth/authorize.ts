/**
 * @module
 * Authorization (docs/api.md#the-decision-table rows 6–9): the caller and the route become a decision, in the
 * documented order: key management, unknown route, plan, then the key's own scopes.
 */

import { PLANS, type RouteRule } from "../domain/policy";
import { ProblemError } from "../http/problem";
import type { Caller } from "./authenticate";
import { isKeyManagement, matchRoute } from "./route";

/**
 * The route rule that allows this request, or a {@link ProblemError}.
 *
 * @example
 * const route = authorize("GET", "/v1/export", caller); // throws plan_required on starter
 */
export function authorize(method: string, pathname: string, caller: Caller): RouteRule {
  if (isKeyManagement(method, pathname)) {
    throw new ProblemError("key_management_forbidden", "API keys cannot create, list or revoke API keys.");
  }
  const route = matchRoute(method, pathname);
  if (!route) throw new ProblemError("unknown_route", `No route for ${method} on this path.`);
  const planScopes: readonly string[] = PLANS[caller.plan];
  if (!planScopes.includes(route.scope)) {
    throw new ProblemError("plan_required", `The ${caller.plan} plan does not include ${route.scope}.`, {
      required_scope: route.scope,
      plan: caller.plan,
    });
  }
  if (!caller.key.scopes.includes(route.scope)) {
    throw new ProblemError("insufficient_scope", `This API key does not hold ${route.scope}.`, {
      required_scope: route.scope,
      granted_scopes: [...caller.key.scopes].sort(),
    });
  }
  return route;
}
