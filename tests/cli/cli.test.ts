// `npm run jobs -- <command>` (the `cronbound` bin) as a real process in the app's folder: it
// finds the app's queue in lib/cronbound.ts. Each command's happy path, and for bad input one
// line on stderr, exit 2, nothing written.
import { beforeEach, describe, expect, it } from "vitest";
import { registry } from "../../lib/job-types/index.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { runBin } from "../helpers/spawn.ts";

const t = useTestDatabase();
beforeEach(async () => {
  await t.sql("TRUNCATE jobs, outbox");
});

const jobs = (...args: string[]) => runBin(args, { DATABASE_URL: t.url, DEMO_JOB_DELAY_MS: "10" });
/** Arranging rows: a queue with the app's job types on this file's database. */
const app = () => t.queue(registry);
const count = async () => (await t.sql<{ n: number }>("SELECT count(*)::int AS n FROM jobs"))[0].n;
const job = async (id: string) =>
  (await t.sql<{ status: string; attempts: number; run_at: Date; payload: unknown; last_error: string | null }>(
    "SELECT status::text, attempts, run_at, payload, last_error FROM jobs WHERE id = $1",
    [id],
  ))[0];

/** A failed command: exactly one line on stderr, nothing on stdout. */
function expectError(r: { code: number | null; stdout: string; stderr: string }, code: number, message: RegExp) {
  expect(r.code).toBe(code);
  expect(r.stdout).toBe("");
  expect(r.stderr.trim().split("\n")).toHaveLength(1);
  expect(r.stderr).toMatch(message);
}

describe("enqueue", () => {
  it("validates the payload, inserts the job and prints its id", async () => {
    const r = await jobs("enqueue", "send-email", '{"to":"a@example.com","subject":"Hello"}');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ type: "send-email", status: "pending", created: true });
    expect(await job(out.id)).toMatchObject({ status: "pending", attempts: 0, payload: { to: "a@example.com", subject: "Hello" } });
  });

  it("takes --delay-ms and --idempotency-key: the job is due later, and a repeated key returns the same job", async () => {
    const first = await jobs("enqueue", "process-upload", '{"fileId":"f1"}', "--delay-ms", "60000", "--idempotency-key", "upload-f1");
    expect(first.code).toBe(0);
    const a = JSON.parse(first.stdout);
    const row = await job(a.id);
    const [{ now }] = await t.sql<{ now: Date }>("SELECT now()");
    expect(row.run_at.getTime() - now.getTime()).toBeGreaterThan(50_000);
    const again = await jobs("enqueue", "process-upload", '{"fileId":"f1"}', "--idempotency-key", "upload-f1");
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ id: a.id, created: false });
    expect(await count()).toBe(1);
  });

  it("rejects an unknown type: exit 2, one line naming the known types, nothing written", async () => {
    expectError(await jobs("enqueue", "send-sms", '{"to":"x"}'), 2, /unknown job type "send-sms" \(known: send-email, process-upload, onboarding, sync-customer\)/);
    expect(await count()).toBe(0);
  });

  it("rejects invalid JSON: exit 2, nothing written", async () => {
    expectError(await jobs("enqueue", "send-email", "{to: a@example.com}"), 2, /payload is not valid JSON/);
    expect(await count()).toBe(0);
  });

  it("rejects a payload that fails the type's schema, naming the fields: exit 2, nothing written", async () => {
    expectError(await jobs("enqueue", "send-email", '{"to":"not-an-email"}'), 2, /invalid payload for job type "send-email".*payload\.to.*payload\.subject/);
    expect(await count()).toBe(0);
  });

  it("rejects a malformed option: exit 2 with the usage", async () => {
    const [badOption, missing] = await Promise.all([
      jobs("enqueue", "send-email", '{"to":"a@example.com","subject":"x"}', "--delay-ms", "soon"),
      jobs("enqueue", "send-email"),
    ]);
    expectError(badOption, 2, /--delay-ms takes an integer.*usage: cronbound enqueue/);
    expectError(missing, 2, /missing argument/);
    expect(await count()).toBe(0);
  });
});

describe("retry, cancel, show", () => {
  it("retry puts a failed job back to pending with fresh attempts", async () => {
    const { job: j } = await app().enqueue("send-email", { to: "a@example.com", subject: "x" });
    await t.sql("UPDATE jobs SET status = 'failed', attempts = 5, last_error = 'boom', finished_at = now() WHERE id = $1", [j.id]);
    const r = await jobs("retry", j.id);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ id: j.id, type: "send-email", status: "pending" });
    expect(await job(j.id)).toMatchObject({ status: "pending", attempts: 0 });
  });

  it("retry refuses an unknown id, a non-id, and a job that has not failed: exit 2", async () => {
    const { job: j } = await app().enqueue("send-email", { to: "a@example.com", subject: "x" });
    const [unknown, notId, pending] = await Promise.all([jobs("retry", "987654"), jobs("retry", "abc"), jobs("retry", j.id)]);
    expectError(unknown, 2, /job 987654 not found/);
    expectError(notId, 2, /"abc" is not a job id/);
    expectError(pending, 2, new RegExp(`job ${j.id} is pending; only failed or cancelled jobs can be retried`));
  });

  it("cancel cancels a pending job; an unknown id or a finished job is refused with exit 2", async () => {
    const { job: j } = await app().enqueue("send-email", { to: "a@example.com", subject: "x" });
    const r = await jobs("cancel", j.id);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: j.id, status: "cancelled" });
    expect(await job(j.id)).toMatchObject({ status: "cancelled", last_error: "cancelled from the command line" });
    const [again, unknown] = await Promise.all([jobs("cancel", j.id), jobs("cancel", "987654")]);
    expectError(again, 2, /is cancelled; only pending or processing jobs can be cancelled/);
    expectError(unknown, 2, /job 987654 not found/);
  });

  it("show prints one job; an unknown id is exit 2", async () => {
    const { job: j } = await app().enqueue("process-upload", { fileId: "f" });
    const [r, unknown] = await Promise.all([jobs("show", j.id), jobs("show", "987654")]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: j.id, type: "process-upload", status: "pending", payload: { fileId: "f" } });
    expectError(unknown, 2, /job 987654 not found/);
  });
});

describe("stats and tick", () => {
  it("tick runs one tick through the app's job types and prints its report", async () => {
    const { job: j } = await app().enqueue("send-email", { to: "a@example.com", subject: "x" });
    const r = await jobs("tick");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ claimed: 1, completed: 1, failed: 0, workerId: expect.stringMatching(/^cli-/) });
    expect(await job(j.id)).toMatchObject({ status: "completed", attempts: 1 });
  });

  it("stats counts jobs per status and per type, as text and as JSON", async () => {
    await app().enqueue("send-email", { to: "a@example.com", subject: "x" });
    await app().enqueue("process-upload", { fileId: "f" });
    await app().enqueue("process-upload", { fileId: "g" });
    await t.sql("UPDATE jobs SET status = 'failed', finished_at = now() WHERE type = 'send-email'");
    const [text, j] = await Promise.all([jobs("stats"), jobs("stats", "--json")]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^pending 2 {2}processing 0 {2}completed 0 {2}failed 1 {2}cancelled 0$/m);
    expect(text.stdout).toMatch(/process-upload +pending 2/);
    expect(j.code).toBe(0);
    const s = JSON.parse(j.stdout);
    expect(s.counts).toMatchObject({ pending: 2, failed: 1, completed: 0 });
    expect(s.byType["send-email"]).toMatchObject({ failed: 1 });
  });

  it("tick refuses a malformed budget: exit 2", async () => {
    expectError(await jobs("tick", "--budget-ms", "lots"), 2, /--budget-ms takes an integer/);
  });
});

describe("usage and runtime errors", () => {
  it("no command prints the usage on stderr with exit 2; help prints it on stdout with exit 0", async () => {
    const none = await jobs();
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/usage: cronbound \[--queue <module>\] <command>/);
    const help = await jobs("help");
    expect(help.code).toBe(0);
    for (const c of ["stats", "enqueue", "retry", "cancel", "tick"]) expect(help.stdout).toMatch(new RegExp(`^  ${c} `, "m"));
  });

  it("an unknown command or option is exit 2", async () => {
    const [command, option] = await Promise.all([jobs("frobnicate"), jobs("stats", "--verbose")]);
    expectError(command, 2, /unknown command "frobnicate"/);
    expectError(option, 2, /Unknown option '--verbose'/);
  });

  it("an unreachable database is one line and exit 1", async () => {
    const r = await runBin(["stats"], { DATABASE_URL: "postgresql://postgres@127.0.0.1:1/nowhere" });
    expectError(r, 1, /^cronbound stats: .*(reach|ECONNREFUSED)/i);
  });

  it("no database at all is one line and exit 1", async () => {
    const r = await runBin(["stats"], { DATABASE_URL: "", DEV_DATABASE_DIR: "tests/.tmp/no-such-dev/postgres" });
    expectError(r, 1, /DATABASE_URL is not set/);
  });
});
