import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseCron, ScheduleError, type Queue, type ScheduleOptions } from "cronbound";
import { dueFires, engineOf, fireDueSchedules, runTick, type Engine } from "cronbound/engine";
import { useTestDatabase } from "../helpers/db.ts";
import { testRegistry } from "../helpers/registry.ts";

// Schedules are created, read and removed through the queue (what an app calls); the tick's
// maintenance step that fires them, fireDueSchedules, through cronbound/engine.
const t = useTestDatabase();
let q: Queue;
let e: Engine;
beforeAll(() => {
  q = t.queue(testRegistry);
  e = engineOf(q);
});
beforeEach(async () => {
  await t.sql("TRUNCATE jobs, schedules");
});

const at = (iso: string) => new Date(iso);
const iso = (d: Date | string) => new Date(d).toISOString();

async function scheduledJobs(): Promise<{ key: string; runAt: string; status: string }[]> {
  const rows = await t.sql<{ key: string; run_at: Date; status: string }>(
    "SELECT idempotency_key AS key, run_at, status::text FROM jobs WHERE idempotency_key LIKE 'schedule:%' ORDER BY run_at, idempotency_key",
  );
  return rows.map((r) => ({ key: r.key, runAt: iso(r.run_at), status: r.status }));
}

/** Fire at each of `times`, in order, as one tick after another would. */
async function fireAt(times: Date[]): Promise<number> {
  let enqueued = 0;
  for (const now of times) enqueued += (await fireDueSchedules(e, { now })).enqueued;
  return enqueued;
}

function every(fromIso: string, toIso: string, stepMs: number): Date[] {
  const out: Date[] = [];
  for (let ms = Date.parse(fromIso); ms <= Date.parse(toIso); ms += stepMs) out.push(new Date(ms));
  return out;
}

describe("schedule(): create, update, list, remove", () => {
  it("stores a schedule whose first fire is the first fire time after now", async () => {
    const s = await q.schedule("report", "*/15 * * * *", { type: "noop", payload: { n: 1 }, now: at("2030-01-01T10:07:30Z") });
    expect(s).toMatchObject({ name: "report", cron: "*/15 * * * *", timezone: "UTC", type: "noop", payload: { n: 1 }, backfill: 0, lastRunAt: null });
    expect(iso(s.nextRunAt!)).toBe("2030-01-01T10:15:00.000Z");
    const list = await q.listSchedules();
    expect(list.map((l) => [l.name, iso(l.nextRunAt!)])).toEqual([["report", "2030-01-01T10:15:00.000Z"]]);
    // The row is the engine's own, in its schema.
    expect((await t.pool.query("SELECT cron FROM cronbound.schedules WHERE name = 'report'")).rows).toEqual([{ cron: "*/15 * * * *" }]);
  });

  it("an update keeps the cursor when the expression is unchanged and restarts it when it changes", async () => {
    await q.schedule("r", "0 * * * *", { type: "noop", now: at("2030-01-01T10:30:00Z") });
    const same = await q.schedule("r", "0 * * * *", { type: "noop", payload: { n: 2 }, now: at("2030-01-01T12:30:00Z") });
    expect(iso(same.nextRunAt!)).toBe("2030-01-01T11:00:00.000Z"); // the 11:00 and 12:00 fires are still owed
    expect(same.payload).toEqual({ n: 2 });
    const changed = await q.schedule("r", "30 * * * *", { type: "noop", now: at("2030-01-01T12:31:00Z") });
    expect(iso(changed.nextRunAt!)).toBe("2030-01-01T13:30:00.000Z");
    expect(await q.listSchedules()).toHaveLength(1);
  });

  it("refuses bad input with a clear error and writes nothing", async () => {
    const bad: [string, string, ScheduleOptions, string, RegExp][] = [
      ["a", "61 * * * *", { type: "noop" }, "invalid_cron", /invalid cron expression "61 \* \* \* \*".*minute/],
      ["a", "*/5 * * * * *", { type: "noop" }, "invalid_cron", /five fields/],
      ["a", "", { type: "noop" }, "invalid_cron", /empty/],
      ["a", "0 0 30 2 *", { type: "noop" }, "invalid_cron", /never fires/],
      ["a", "* * * * *", { type: "noop", timezone: "Mars/Olympus" }, "invalid_timezone", /unknown timezone "Mars\/Olympus"/],
      ["a", "* * * * *", { type: "nope" }, "unknown_type", /unknown job type "nope" \(known: noop/],
      ["a", "* * * * *", { type: "work", payload: { ms: "soon" } }, "invalid_payload", /invalid payload for job type "work": payload.ms/],
      ["a", "* * * * *", { type: "noop", backfill: 1000 }, "invalid_options", /backfill/],
      ["bad name!", "* * * * *", { type: "noop" }, "invalid_name", /schedule name/],
    ];
    for (const [name, cron, options, code, message] of bad) {
      const err = (await q.schedule(name, cron, options).catch((err: unknown) => err)) as ScheduleError;
      expect(err, `${cron} ${JSON.stringify(options)}`).toBeInstanceOf(ScheduleError);
      expect(err.code).toBe(code);
      expect(err.message).toMatch(message);
    }
    expect(await q.listSchedules()).toEqual([]);
  });

  it("accepts nicknames and normalizes the timezone's spelling", async () => {
    const s = await q.schedule("d", "@daily", { type: "noop", timezone: "utc", now: at("2030-01-01T10:00:00Z") });
    expect(s.timezone).toBe("UTC");
    expect(iso(s.nextRunAt!)).toBe("2030-01-02T00:00:00.000Z");
  });

  it("unschedule removes it and answers false for an unknown name", async () => {
    await q.schedule("gone", "* * * * *", { type: "noop" });
    expect(await q.unschedule("gone")).toBe(true);
    expect(await q.unschedule("gone")).toBe(false);
    expect(await q.getSchedule("gone")).toBeNull();
  });
});

describe("fireDueSchedules: each due fire time is enqueued exactly once", () => {
  it("enqueues a fire when due (not a millisecond before) with runAt = the fire time, and advances the cursor", async () => {
    await q.schedule("m", "* * * * *", { type: "noop", payload: { n: 7 }, now: at("2030-01-01T12:00:30Z") });
    expect(await fireAt([at("2030-01-01T12:00:59.999Z")])).toBe(0);
    expect(await fireAt([at("2030-01-01T12:01:00.000Z")])).toBe(1);
    expect(await scheduledJobs()).toEqual([{ key: "schedule:m:2030-01-01T12:01:00.000Z", runAt: "2030-01-01T12:01:00.000Z", status: "pending" }]);
    const s = await q.getSchedule("m");
    expect(iso(s!.nextRunAt!)).toBe("2030-01-01T12:02:00.000Z");
    expect(iso(s!.lastRunAt!)).toBe("2030-01-01T12:01:00.000Z");
    expect(s!.lastJobId).toMatch(/^\d+$/);
    const [job] = await t.sql<{ payload: unknown; type: string }>("SELECT payload, type FROM jobs");
    expect(job).toEqual({ payload: { n: 7 }, type: "noop" });
  });

  it("4 ticks running at once for the same minute, on separate connections, enqueue one job", async () => {
    await q.schedule("m", "* * * * *", { type: "noop", now: at("2030-01-01T12:00:30Z") });
    await q.schedule("h", "0 * * * *", { type: "noop", now: at("2030-01-01T12:00:30Z") });
    const clients = Array.from({ length: 4 }, () => engineOf(t.queue(testRegistry, {}, { pool: t.newPool(2) })));
    for (const second of ["01", "02", "30"]) {
      const now = at(`2030-01-01T13:00:${second}Z`);
      const results = await Promise.all(clients.map((c) => fireDueSchedules(c, { now })));
      expect(results.reduce((n, r) => n + r.enqueued, 0), `tick at 13:00:${second}`).toBe(second === "01" ? 6 : 0);
    }
    // 12:01 .. 12:55 were missed by more than the catch-up window; 12:56 .. 13:00 are late, not missed.
    expect((await scheduledJobs()).map((j) => j.key)).toEqual([
      "schedule:m:2030-01-01T12:56:00.000Z",
      "schedule:m:2030-01-01T12:57:00.000Z",
      "schedule:m:2030-01-01T12:58:00.000Z",
      "schedule:m:2030-01-01T12:59:00.000Z",
      "schedule:h:2030-01-01T13:00:00.000Z",
      "schedule:m:2030-01-01T13:00:00.000Z",
    ]);
  });

  it("3 full ticks at once (maintenance, claim, run) for the same minute run the scheduled job once", async () => {
    await q.schedule("m", "* * * * *", { type: "noop", now: at("2030-01-01T12:00:30Z") });
    const clients = Array.from({ length: 3 }, () => t.queue(testRegistry, {}, { pool: t.newPool(3) }));
    const now = at("2030-01-01T12:01:02Z");
    const reports = await Promise.all(clients.map((c, i) => c.runTick({ budgetMs: 10_000, now, workerId: `w${i}` })));
    expect(reports.reduce((n, r) => n + (r.maintenance.scheduled ?? 0), 0)).toBe(1);
    expect(reports.reduce((n, r) => n + r.completed, 0)).toBe(1);
    expect(await scheduledJobs()).toEqual([{ key: "schedule:m:2030-01-01T12:01:00.000Z", runAt: "2030-01-01T12:01:00.000Z", status: "completed" }]);
  });

  it("a tick twice in the same minute enqueues nothing the second time", async () => {
    await q.schedule("m", "* * * * *", { type: "noop", now: at("2030-01-01T12:00:30Z") });
    expect(await fireAt([at("2030-01-01T12:01:00.200Z"), at("2030-01-01T12:01:00.900Z"), at("2030-01-01T12:01:59Z")])).toBe(1);
    expect(await scheduledJobs()).toHaveLength(1);
  });

  it("a skipped cron minute loses nothing: the next tick enqueues the missed fire and its own", async () => {
    await q.schedule("m", "* * * * *", { type: "noop", now: at("2030-01-01T11:59:30Z") });
    await fireAt([at("2030-01-01T12:00:05Z"), /* 12:01 never came */ at("2030-01-01T12:02:04Z"), at("2030-01-01T12:03:01Z")]);
    expect((await scheduledJobs()).map((j) => j.runAt)).toEqual([
      "2030-01-01T12:00:00.000Z",
      "2030-01-01T12:01:00.000Z",
      "2030-01-01T12:02:00.000Z",
      "2030-01-01T12:03:00.000Z",
    ]);
  });

  it("after an outage, only the most recent missed fire is enqueued by default", async () => {
    await q.schedule("nightly", "0 3 * * *", { type: "noop", now: at("2030-01-01T00:00:00Z") });
    // Down from Jan 1 to Jan 4 noon: the fires of Jan 1, 2, 3 and 4 at 03:00 were missed.
    expect(await fireAt([at("2030-01-04T12:00:00Z")])).toBe(1);
    expect((await scheduledJobs()).map((j) => j.runAt)).toEqual(["2030-01-04T03:00:00.000Z"]);
    expect(iso((await q.getSchedule("nightly"))!.nextRunAt!)).toBe("2030-01-05T03:00:00.000Z");
  });

  it("backfill: N enqueues up to N more of the most recent missed fires, oldest first", async () => {
    await q.schedule("nightly", "0 3 * * *", { type: "noop", backfill: 2, now: at("2030-01-01T00:00:00Z") });
    await q.schedule("few", "0 3 * * *", { type: "noop", backfill: 10, now: at("2030-01-01T00:00:00Z") });
    await fireAt([at("2030-01-09T12:00:00Z")]);
    const runs = (name: string) => scheduledJobs().then((js) => js.filter((j) => j.key.startsWith(`schedule:${name}:`)).map((j) => j.runAt.slice(0, 10)));
    expect(await runs("nightly")).toEqual(["2030-01-07", "2030-01-08", "2030-01-09"]);
    // Fewer missed fires than the backfill allows: each one, none twice.
    expect(await runs("few")).toEqual(["2030-01-01", "2030-01-02", "2030-01-03", "2030-01-04", "2030-01-05", "2030-01-06", "2030-01-07", "2030-01-08", "2030-01-09"]);
  });

  it("a cursor moved back (a restored backup) cannot enqueue a fire time twice: the fire time is a unique key", async () => {
    await q.schedule("m", "* * * * *", { type: "noop", now: at("2030-01-01T11:59:30Z") });
    await fireAt([at("2030-01-01T12:00:05Z"), at("2030-01-01T12:01:05Z")]);
    await t.sql("UPDATE schedules SET next_run_at = '2030-01-01T12:00:00Z'");
    expect(await fireAt([at("2030-01-01T12:01:30Z")])).toBe(0);
    expect((await scheduledJobs()).map((j) => j.runAt)).toEqual(["2030-01-01T12:00:00.000Z", "2030-01-01T12:01:00.000Z"]);
    expect(iso((await q.getSchedule("m"))!.nextRunAt!)).toBe("2030-01-01T12:02:00.000Z");
  });

  it("a fire whose payload stopped matching its schema enqueues nothing, records why, and does not hold up other schedules", async () => {
    await q.schedule("broken", "* * * * *", { type: "work", payload: { ms: 1 }, now: at("2030-01-01T11:59:30Z") });
    await q.schedule("fine", "* * * * *", { type: "noop", now: at("2030-01-01T11:59:30Z") });
    await t.sql(`UPDATE schedules SET payload = '{"ms": "later"}' WHERE name = 'broken'`);
    const r = await fireDueSchedules(e, { now: at("2030-01-01T12:00:05Z") });
    expect(r).toEqual({ schedules: 2, enqueued: 1, errors: 1 });
    const broken = await q.getSchedule("broken");
    expect(broken!.lastError).toMatch(/invalid payload for job type "work"/);
    expect(iso(broken!.nextRunAt!)).toBe("2030-01-01T12:01:00.000Z");
    expect((await scheduledJobs()).map((j) => j.key)).toEqual(["schedule:fine:2030-01-01T12:00:00.000Z"]);
  });

  it("the tick fires schedules in maintenance and runs what they enqueued", async () => {
    await q.schedule("m", "*/5 * * * *", { type: "noop", payload: { n: 3 }, now: at("2030-01-01T11:59:30Z") });
    const report = await runTick(e, { budgetMs: 10_000, now: at("2030-01-01T12:00:01Z") });
    expect(report.maintenance.scheduled).toBe(1);
    expect(report.completed).toBe(1);
    const [job] = await t.sql<{ result: unknown }>("SELECT result FROM jobs");
    expect(job.result).toEqual({ n: 3 });
  });
});

describe("time zones and daylight saving", () => {
  it("30 2 * * * in America/New_York fires once a day across spring-forward (02:30 does not exist that night: 03:30 EDT)", async () => {
    await q.schedule("ny", "30 2 * * *", { type: "noop", timezone: "America/New_York", now: at("2026-03-06T00:00:00Z") });
    await fireAt(every("2026-03-06T00:10:00Z", "2026-03-10T00:00:00Z", 10 * 60_000));
    expect((await scheduledJobs()).map((j) => j.runAt)).toEqual([
      "2026-03-06T07:30:00.000Z", // 02:30 EST
      "2026-03-07T07:30:00.000Z", // 02:30 EST
      "2026-03-08T07:30:00.000Z", // clocks jump 02:00 EST -> 03:00 EDT: runs at 03:30 EDT
      "2026-03-09T06:30:00.000Z", // 02:30 EDT
    ]);
  });

  it("30 1 * * * in America/New_York fires once, not twice, on the fall-back night when 01:30 happens twice", async () => {
    await q.schedule("ny", "30 1 * * *", { type: "noop", timezone: "America/New_York", now: at("2026-10-31T00:00:00Z") });
    await fireAt(every("2026-10-31T00:10:00Z", "2026-11-03T00:00:00Z", 10 * 60_000));
    expect((await scheduledJobs()).map((j) => j.runAt)).toEqual([
      "2026-10-31T05:30:00.000Z", // 01:30 EDT
      "2026-11-01T05:30:00.000Z", // 01:30 EDT, the first of the two
      "2026-11-02T06:30:00.000Z", // 01:30 EST
    ]);
  });

  it("Europe/London: an hourly schedule follows the wall clock, and 01:30 on the spring-forward night runs once", async () => {
    await q.schedule("ldn", "30 1 * * *", { type: "noop", timezone: "Europe/London", now: at("2026-03-28T00:00:00Z") });
    await fireAt(every("2026-03-28T00:05:00Z", "2026-03-31T00:00:00Z", 10 * 60_000));
    expect((await scheduledJobs()).map((j) => j.runAt)).toEqual([
      "2026-03-28T01:30:00.000Z", // 01:30 GMT
      "2026-03-29T01:30:00.000Z", // 01:00 GMT -> 02:00 BST: runs at 02:30 BST
      "2026-03-30T00:30:00.000Z", // 01:30 BST
    ]);
  });
});

describe("time zones and daylight saving: sub-daily schedules", () => {
  it("*/30 in America/New_York: each fire once, in order; the repeated hour on fall-back runs once (a 90-minute gap)", async () => {
    await q.schedule("half", "*/30 * * * *", { type: "noop", timezone: "America/New_York", now: at("2026-03-08T04:59:00Z") });
    await fireAt(every("2026-03-08T05:00:00Z", "2026-03-08T09:00:00Z", 10 * 60_000));
    expect((await scheduledJobs()).map((j) => j.runAt.slice(11, 16))).toEqual(
      // 00:00 .. 01:30 EST, then the clocks jump to 03:00 EDT (07:00Z): no fire lost, none doubled.
      ["05:00", "05:30", "06:00", "06:30", "07:00", "07:30", "08:00", "08:30", "09:00"],
    );
    await t.sql("TRUNCATE jobs, schedules");
    await q.schedule("half", "*/30 * * * *", { type: "noop", timezone: "America/New_York", now: at("2026-11-01T03:59:00Z") });
    await fireAt(every("2026-11-01T04:00:00Z", "2026-11-01T08:00:00Z", 10 * 60_000));
    expect((await scheduledJobs()).map((j) => j.runAt.slice(11, 16))).toEqual(
      // 00:00 .. 01:30 EDT (05:30Z); 01:00 and 01:30 EST (06:00Z, 06:30Z) are the same wall times: skipped.
      ["04:00", "04:30", "05:00", "05:30", "07:00", "07:30", "08:00"],
    );
  });
});

describe("dueFires (the catch-up policy, without a database)", () => {
  const c = parseCron("* * * * *");
  const fires = (cursor: string, now: string, backfill = 0) =>
    dueFires(c, at(cursor), at(now), { backfill }).fires.map((f) => iso(f).slice(11, 16));

  it("late fires within the catch-up window are all kept; older ones only up to the backfill", () => {
    expect(fires("2030-01-01T12:00:00Z", "2030-01-01T12:00:00Z")).toEqual(["12:00"]);
    expect(fires("2030-01-01T12:00:00Z", "2030-01-01T12:03:10Z")).toEqual(["12:00", "12:01", "12:02", "12:03"]);
    expect(fires("2030-01-01T12:00:00Z", "2030-01-01T14:00:30Z")).toEqual(["13:56", "13:57", "13:58", "13:59", "14:00"]);
    expect(fires("2030-01-01T12:00:00Z", "2030-01-01T14:00:30Z", 3)).toEqual(["13:53", "13:54", "13:55", "13:56", "13:57", "13:58", "13:59", "14:00"]);
  });

  it("a year-old cursor costs a few hundred croner steps, not one per missed minute", () => {
    const cron = parseCron("* * * * *", "Europe/London");
    let steps = 0;
    const counted = { ...cron, nextAfter: (d: Date) => (steps++, cron.nextAfter(d)) };
    const r = dueFires(counted, at("2029-01-01T00:00:00Z"), at("2030-01-01T12:00:30Z"), { backfill: 100 });
    expect(r.fires).toHaveLength(105);
    expect(iso(r.fires[0]).slice(11, 16)).toBe("10:16");
    expect(iso(r.next!)).toBe("2030-01-01T12:01:00.000Z");
    // 525,600 missed minutes: walking them all would be 525,600 steps.
    expect(steps).toBeLessThan(1_000);
  });
});
