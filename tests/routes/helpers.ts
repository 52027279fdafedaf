// Shared by the route tests: an HTTP client for the machine endpoints, row counts, a TCP proxy
// that can cut the app off from Postgres, and headless Chromium (Debian's, via playwright-core).
import net from "node:net";
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";
import { TEST_SECRET, type App } from "../helpers/app.ts";
import type { TestDatabase } from "../helpers/db.ts";

export interface Answer<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface CallOptions {
  /** JSON-encoded unless `raw` is given. */
  json?: unknown;
  raw?: BodyInit;
  /** The Authorization header; default `Bearer TEST_SECRET`; null sends none. */
  auth?: string | null;
  headers?: Record<string, string>;
}

export async function call(app: App, method: string, path: string, o: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...o.headers };
  const auth = o.auth === undefined ? `Bearer ${TEST_SECRET}` : o.auth;
  if (auth !== null) headers.authorization = auth;
  let body: BodyInit | undefined = o.raw;
  if (o.json !== undefined) {
    body = JSON.stringify(o.json);
    headers["content-type"] = "application/json";
  }
  const init: RequestInit & { duplex?: "half" } = { method, headers, body };
  if (body instanceof ReadableStream) init.duplex = "half";
  const res = await fetch(`${app.url}${path}`, init);
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = JSON.parse(text);
  } catch {
    // left undefined: the test asserts on it
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** The server's JSON log records (one per line; Next's own lines are skipped), in order. */
export function logRecords(output: string): Record<string, unknown>[] {
  return output.split("\n").flatMap((line) => {
    if (!line.startsWith("{")) return [];
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

export async function jobCount(t: TestDatabase): Promise<number> {
  return (await t.sql<{ n: number }>("SELECT count(*)::int AS n FROM jobs"))[0].n;
}

export async function jobRow(t: TestDatabase, id: string) {
  return (
    await t.sql<{ status: string; attempts: number }>("SELECT status::text AS status, attempts FROM jobs WHERE id = $1", [id])
  )[0];
}

/** Outbox rows per job: a doubled run shows as a count of 2. */
export async function outboxCounts(t: TestDatabase): Promise<Map<string, number>> {
  const rows = await t.sql<{ job_id: string; n: number }>("SELECT job_id::text, count(*)::int AS n FROM outbox GROUP BY job_id");
  return new Map(rows.map((r) => [r.job_id, r.n]));
}

/** Waits for a condition on the database (a state change in another process), not for time. */
export async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * A TCP proxy in front of Postgres: `down()` cuts every open connection and refuses new ones
 * (the database "goes away" for the app), `up()` lets connections through again.
 */
export async function dbProxy(targetUrl: string) {
  const target = new URL(targetUrl);
  const sockets = new Set<net.Socket>();
  let open = true;
  const server = net.createServer((client) => {
    if (!open) return void client.destroy();
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    const pair = [client, upstream];
    for (const s of pair) {
      sockets.add(s);
      s.on("error", () => pair.forEach((p) => p.destroy()));
      s.on("close", () => {
        pair.forEach((p) => p.destroy());
        sockets.delete(s);
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  const url = new URL(targetUrl);
  url.hostname = "127.0.0.1";
  url.port = String(port);
  return {
    url: url.toString(),
    down() {
      open = false;
      for (const s of sockets) s.destroy();
    },
    up() {
      open = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
  if (!existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  return chromium.launch({
    executablePath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
}
