/** The scope, plan, limit and route tables of docs/policy.md, generated from the domain module. */
import { DEFAULT_KEY_SCOPES, PLAN_LIMITS, PLANS, ROUTES, SCOPES } from "../../src/domain/policy";

export function limitsTable(): string {
  const n = (v: number) => v.toLocaleString("en-US");
  const rows = Object.entries(PLAN_LIMITS).map(
    ([plan, limits]) => `| \`${plan}\` | ${n(limits.per_minute)} | ${n(limits.per_day)} |`,
  );
  return ["| plan | requests per minute (account) | requests per day (account) |", "|---|---|---|", ...rows].join("\n");
}

export function routesTable(): string {
  const rows = ROUTES.map((r) => {
    const note = r.answeredByEdge ? " (answered by the edge)" : "";
    return `| ${r.methods.join(", ")} | \`${r.path}\` | ${r.scope}${note} |`;
  });
  return ["| method | path | scope |", "|---|---|---|", ...rows].join("\n");
}

export function scopesTable(): string {
  const plans = Object.keys(PLANS) as (keyof typeof PLANS)[];
  const rows = SCOPES.map((scope) => {
    const inPlans = plans.map((p) => ((PLANS[p] as readonly string[]).includes(scope) ? "✓" : "—"));
    const isDefault = DEFAULT_KEY_SCOPES.includes(scope) ? "✓" : "";
    return `| ${scope} | ${inPlans.join(" | ")} | ${isDefault} |`;
  });
  return [
    `| scope | ${plans.join(" | ")} | default for new keys |`,
    `|---|${plans.map(() => "---|").join("")}---|`,
    ...rows,
  ].join("\n");
}

/** Replaces the text between `<!-- NAME:start -->` and `<!-- NAME:end -->`. */
export function withSection(readme: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README has no ${name} section`);
  return `${readme.slice(0, from + start.length)}\n${body}\n${readme.slice(to)}`;
}
