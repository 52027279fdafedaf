// The tick route when the database goes away: it answers 503 with a JSON error, and no job
// is lost. The app reaches Postgres through a TCP proxy the test can cut, so the failure is
// a real one (connections reset, new ones refused), not a mock.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { registry } from "../../lib/job-types/index.ts";
import { startApp, type App } from "../helpers/app.ts";
import { testDatabase, type TestDatabase } from "../helpers/db.ts";
import { call, dbProxy, outboxCounts, until } from "./helpers.ts";

let t: TestDatabase;
let app: App;
let proxy: Awaited<ReturnType<typeof dbProxy>>;

beforeAll(async () => {
  t = await testDatabase();
  proxy = await dbProxy(t.url);
  // Jobs take 1 s here, so the database can be cut while they run.
  app = await startApp({ DATABASE_URL: proxy.url, DEMO_JOB_DELAY_MS: "1000" });
});
afterAll(async () => {
  await app?.stop();
  await proxy?.close();
  await t?.close();
});
beforeEach(async () => {
  proxy.up();
  await t.sql("TRUNCATE jobs, outbox RESTART IDENTITY");
});

// Enqueued straight to the database (not through the proxy); the app's server runs them.
const emails = (n: number) =>
  t.queue(registry).enqueueMany(Array.from({ length: n }, (_, i) => ({ type: "send-email", payload: { to: `u${i}@example.com`, subject: "s" } })));

describe("tick with the database down", () => {
  it("answers 503 with a JSON error, and the next tick runs every job", async () => {
    const ids = await emails(3);
    proxy.down();
    const res = await call(app, "GET", "/api/jobs/tick");
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    expect(res.body).toMatchObject({ code: "database_unavailable", error: expect.stringMatching(/No job was lost/) });
    expect(await t.sql("SELECT status::text, attempts FROM jobs GROUP BY 1, 2")).toEqual([{ status: "pending", attempts: 0 }]);

    proxy.up();
    const again = await call(app, "GET", "/api/jobs/tick");
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ claimed: 3, completed: 3 });
    expect([...(await outboxCounts(t)).entries()].sort()).toEqual(ids.map((id) => [id, 1]).sort());
  });

  it("answers 503 when the database goes away mid-tick; the claimed jobs come back through rescue and run once", async () => {
    const ids = await emails(4);
    const tick = call(app, "GET", "/api/jobs/tick");
    await until("all four jobs claimed", async () =>
      (await t.sql<{ n: number }>("SELECT count(*)::int AS n FROM jobs WHERE status = 'processing'"))[0].n === 4,
    );
    proxy.down(); // the handlers are still in their 1 s of simulated sending
    const res = await tick;
    expect(res.status).toBe(503);
    expect(res.body.code).toBe("database_unavailable");

    // Nothing lost: each job still holds its lease and no email went out.
    const held = await t.sql<{ status: string; attempts: number; leased: boolean }>(
      "SELECT status::text, attempts, locked_until > now() AS leased FROM jobs GROUP BY 1, 2, 3",
    );
    expect(held).toEqual([{ status: "processing", attempts: 1, leased: true }]);
    expect((await outboxCounts(t)).size).toBe(0);

    proxy.up();
    // The leases still run (timeout 10 s + 15 s grace): a tick now must leave the jobs alone.
    const early = await call(app, "GET", "/api/jobs/tick");
    expect(early.body).toMatchObject({ claimed: 0, rescued: 0 });
    // Past the lease (backdated, not waited for), the next tick rescues and runs them.
    await t.sql("UPDATE jobs SET locked_until = now() - interval '1 second', locked_at = now() - interval '26 seconds'");
    const later = await call(app, "GET", "/api/jobs/tick");
    expect(later.status).toBe(200);
    expect(later.body).toMatchObject({ rescued: 4, claimed: 4, completed: 4 });
    expect(await t.sql("SELECT status::text, attempts FROM jobs GROUP BY 1, 2")).toEqual([{ status: "completed", attempts: 2 }]);
    expect([...(await outboxCounts(t)).entries()].sort()).toEqual(ids.map((id) => [id, 1]).sort());
  });

  it("answers 503 to an enqueue with the database down, and writes nothing", async () => {
    proxy.down();
    const res = await call(app, "POST", "/api/jobs", { json: { type: "send-email", payload: { to: "a@example.com", subject: "s" } } });
    expect(res.status).toBe(503);
    expect(res.body.code).toBe("database_unavailable");
    proxy.up();
    expect(await t.sql("SELECT count(*)::int AS n FROM jobs")).toEqual([{ n: 0 }]);
  });
});
