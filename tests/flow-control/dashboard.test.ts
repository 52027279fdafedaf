// The dashboard's Limits section (the overview renders it with getStats().flow): rendered to HTML
// from the stats of a real database.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { beforeEach, describe, expect, it } from "vitest";
import { claimJobs, engineOf, enqueueMany } from "cronbound/engine";
import { LimitsSection } from "cronbound/next/dashboard";
import { useTestDatabase } from "../helpers/db.ts";
import { flowRegistry } from "./registry.ts";

const t = useTestDatabase();

beforeEach(async () => {
  await t.sql("TRUNCATE jobs, flow_starts, flow_keys, type_settings");
});

describe("dashboard: Limits section", () => {
  it("shows per limited type its limits, running vs limit, held back and the busiest keys", async () => {
    const q = t.queue(flowRegistry);
    const e = engineOf(q);
    await enqueueMany(e, Array.from({ length: 7 }, (_, n) => ({ type: "per-tenant", payload: { tenant: n < 5 ? "acme" : "globex", n } })));
    await enqueueMany(e, Array.from({ length: 4 }, (_, n) => ({ type: "global3", payload: { n } })));
    await claimJobs(e, { workerId: "w", limit: 50, maxTimeoutMs: 60_000, graceMs: 1_000 });
    await q.setLimit("rated", { rateLimit: { limit: 5, periodMs: 2_000 } });
    await q.pause("global3");
    await q.setLimit("mixed", { concurrency: 4 });
    const html = renderToStaticMarkup(createElement(LimitsSection, { flow: (await q.getStats()).flow, base: "/jobs" }));
    const row = (type: string) => new RegExp(`<tr data-type="${type}">(.*?)</tr>`).exec(html)?.[1] ?? "";
    expect(row("per-tenant")).toContain(">concurrency 2 per key<");
    expect(row("per-tenant")).toMatch(/data-testid="limits-running-per-tenant">4</);
    expect(row("per-tenant")).toMatch(/data-testid="limits-held-per-tenant">3</);
    expect(row("per-tenant")).toContain('<span data-key="acme"><code>acme</code> 2 / 2 · 3</span>');
    expect(row("global3")).toMatch(/data-testid="limits-running-global3">3 \/ 3</);
    expect(row("global3")).toContain("paused");
    expect(row("rated")).toContain(">5 starts per 2 s per key (override)<");
    // Where each limit comes from: the code, a runtime override, or each its own when they differ.
    expect(row("per-tenant")).toContain('data-testid="limits-source-per-tenant">code<');
    expect(row("rated")).toContain('data-testid="limits-source-rated">runtime override<');
    expect(row("mixed")).toContain('data-testid="limits-source-mixed">concurrency: runtime override · rate: code<');
    // Without the page's action (`v`) the section is read-only: no form.
    expect(html).not.toContain("<form");
    expect(renderToStaticMarkup(createElement(LimitsSection, { flow: [], base: "/jobs" }))).toBe("");
  });
});
