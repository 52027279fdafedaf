// `cronbound schedule list | set | remove` through runCli (the command table), against
// this file's database with the app's own job types.
import { beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "cronbound";
import { runCli } from "cronbound/cli";
import { registry } from "../../lib/job-types/index.ts";
import { useTestDatabase } from "../helpers/db.ts";

const t = useTestDatabase();
beforeEach(async () => {
  await t.sql("TRUNCATE schedules");
});

async function jobs(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runCli(argv, {
    queue: () => t.queue(registry),
    logger: silentLogger,
    out: (s) => (out += `${s}\n`),
    err: (s) => (err += `${s}\n`),
    signal: new AbortController().signal,
  });
  return { code, out, err };
}

describe("jobs schedule", () => {
  it("set creates or updates a schedule, list shows it with its next fire time, remove deletes it", async () => {
    const set = await jobs("schedule", "set", "digest", "0 8 * * 1-5", "send-email", '{"to":"team@example.com","subject":"Digest"}', "--tz", "Europe/London");
    expect(set).toMatchObject({ code: 0, err: "" });
    expect(JSON.parse(set.out)).toMatchObject({ name: "digest", cron: "0 8 * * 1-5", timezone: "Europe/London", type: "send-email", backfill: 0 });
    const again = await jobs("schedule", "set", "digest", "0 8 * * 1-5", "send-email", '{"to":"team@example.com","subject":"Digest 2"}', "--tz", "Europe/London", "--backfill", "3");
    expect(JSON.parse(again.out)).toMatchObject({ backfill: 3, payload: { subject: "Digest 2" } });
    const list = JSON.parse((await jobs("schedule", "list")).out);
    expect(list).toHaveLength(1);
    expect(Date.parse(list[0].nextRunAt)).toBeGreaterThan(Date.now());
    expect(await jobs("schedule", "remove", "digest")).toMatchObject({ code: 0 });
    expect(JSON.parse((await jobs("schedule", "list")).out)).toEqual([]);
  });

  it("bad input: one line on stderr, exit 2, nothing written", async () => {
    const cases: [string[], RegExp][] = [
      [["schedule", "set", "a", "99 * * * *", "send-email", '{"to":"a@b.co","subject":"s"}'], /invalid cron expression/],
      [["schedule", "set", "a", "* * * * *", "send-email", '{"to":"nope","subject":"s"}'], /invalid payload for job type "send-email"/],
      [["schedule", "set", "a", "* * * * *", "send-email", "{not json"], /not valid JSON/],
      [["schedule", "set", "a", "* * * * *", "nope", "{}"], /unknown job type "nope"/],
      [["schedule", "set", "a", "* * * * *", "send-email", '{"to":"a@b.co","subject":"s"}', "--tz", "Nowhere/City"], /unknown timezone/],
      [["schedule", "set", "a", "* * * * *"], /missing arguments/],
      [["schedule", "remove", "ghost"], /no schedule named "ghost"/],
      [["schedule", "frobnicate"], /unknown action "frobnicate"/],
    ];
    for (const [argv, message] of cases) {
      const r = await jobs(...argv);
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.out).toBe("");
      expect(r.err.trim().split("\n")).toHaveLength(1);
      expect(r.err).toMatch(message);
    }
    expect(await t.sql("SELECT 1 FROM schedules")).toEqual([]);
  });
});
