/**
 * One path for every request: `/v1` skips Hono's dispatch (`fetchEdge`, for speed), so every
 * middleware of the app must also be a step of `serveRequest`. This test fails when a middleware is
 * added to the app any other way than through APP_MIDDLEWARE (where it must be added to both).
 */
import { describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { APP_MIDDLEWARE } from "../../src/http/request-context";
import { newAccountWithKey, withKey } from "./helpers";

describe("one path for /v1 and the rest", () => {
  it("the app's middleware is exactly APP_MIDDLEWARE, which serveRequest runs for /v1 too", () => {
    const middleware = app.routes.filter((r) => r.method === "ALL" && r.path === "/*").map((r) => r.handler);
    expect(middleware).toEqual([...APP_MIDDLEWARE]);
  });

  it("the steps of APP_MIDDLEWARE run for /v1: its request id and log state, on answers and refusals", async () => {
    const { key } = await newAccountWithKey("pro");
    for (const res of [await withKey(key, "/v1/competitors"), await withKey("hello", "/v1/competitors")]) {
      expect(res.headers.get("x-neariq-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
