import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { captureConsoleLine } from "./test/support/console-capture.ts";
import { TEST_ORIGIN_PORT, TEST_SANDBOX_PORT } from "./test/support/test-origin.ts";
import { testSecrets } from "./test/support/test-secrets.ts";

const secrets = await testSecrets();

export default defineConfig({
  test: {
    onConsoleLog: captureConsoleLine,
    projects: [
      {
        test: {
          name: "unit",
          sequence: { groupOrder: 0 },
          include: ["test/unit/**/*.test.ts", "packages/*/test/**/*.test.ts"],
          environment: "node",
          setupFiles: ["test/support/mutant-run.ts"],
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                ...secrets,
                ORIGIN_URL: `http://127.0.0.1:${TEST_ORIGIN_PORT}`,
                ORIGIN_TEST_URL: `http://127.0.0.1:${TEST_SANDBOX_PORT}`,
                EVENTS_WEBHOOK_URL: `http://127.0.0.1:${TEST_ORIGIN_PORT}/__webhook`,
                // Usage is handed in at most this long after it was counted (10 s in production).
                USAGE_HAND_IN_MS: "300",
                SECRET_SCANNING_KEYS_URL: `http://127.0.0.1:${TEST_ORIGIN_PORT}/__github-keys`,
                // Short leases keep revocation tests quick; lease behaviour has tests of its own.
                AUTH_LEASE_MS: "150",
                AUTH_TIMEOUT_MS: "1000",
              },
            },
          }),
        ],
        test: {
          name: "worker",
          sequence: { groupOrder: 0 },
          include: ["test/worker/**/*.test.ts"],
          globalSetup: ["test/support/global-setup.ts"],
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // After the unit and workerd tests, not beside them: on a 2-core machine, wrangler dev and
          // Chromium beside workerd's own tests starve each other (a 17 MiB upload took over 30 s).
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
