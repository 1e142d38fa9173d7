/**
 * The dashboard stand-in on Node (127.0.0.1:8789), started by `npm run dev`.
 *
 *   EDGE_URL     the edge (http://127.0.0.1:8787)      ADMIN_TOKEN  its admin token (from .dev.vars)
 *   PORT, HOST   where it listens (8789, 127.0.0.1)
 *   EVENTS_WEBHOOK_SECRET  verifies the edge's webhook deliveries at /webhooks/neariq (from .dev.vars)
 */
import { serve } from "@hono/node-server";
import { adminClient } from "./admin-client";
import { createDashboardApp } from "./app";

const port = Number(process.env.PORT ?? 8789);
const host = process.env.HOST ?? "127.0.0.1";
const token = process.env.ADMIN_TOKEN;
if (!token) {
  console.error("dashboard: ADMIN_TOKEN is not set");
  process.exit(2);
}
const app = createDashboardApp(
  adminClient(process.env.EDGE_URL ?? "http://127.0.0.1:8787", token),
  `http://${host}:${port}`,
  Date.now,
  process.env.EVENTS_WEBHOOK_SECRET,
);
serve({ fetch: app.fetch, port, hostname: host }, () => {
  console.log(`dashboard (Settings → API) on http://${host}:${port}`);
});
