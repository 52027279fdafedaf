import { readFileSync } from "node:fs";
import type pg from "pg";

// CPU per job, both sides of the wire: Node's from process.cpuUsage(); PostgreSQL's as the
// utime + stime of every backend connected to the bench database (/proc/<pid>/stat), sampled
// before and after a run. Only one side runs at a time, so the backends' CPU in that window is
// that side's. Needs the server on this machine (127.0.0.1); elsewhere PostgreSQL's CPU is NaN.

const TICK_US = 1e6 / 100; // USER_HZ is 100 on Linux

export interface CpuSample {
  node: NodeJS.CpuUsage;
  pg: Map<number, number>;
}

export interface CpuPerJob {
  /** Node's CPU per job, µs. */
  nodeUs: number;
  /** PostgreSQL backends' CPU per job, µs (NaN when the server is not local). */
  pgUs: number;
}

function procTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may contain spaces, in parentheses): utime is the 14th
    // field, stime the 15th, counting from 1.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(rest[11]) + Number(rest[12]);
  } catch {
    return undefined;
  }
}

async function backendTicks(admin: pg.Pool): Promise<Map<number, number>> {
  const { rows } = await admin.query<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'",
  );
  const out = new Map<number, number>();
  for (const { pid } of rows) {
    const t = procTicks(pid);
    if (t !== undefined) out.set(pid, t);
  }
  return out;
}

export async function cpuStart(admin: pg.Pool): Promise<CpuSample> {
  const pgTicks = await backendTicks(admin);
  return { node: process.cpuUsage(), pg: pgTicks };
}

/** CPU per job since `start`; backends that connected during the run count from zero. */
export async function cpuEnd(admin: pg.Pool, start: CpuSample, jobs: number): Promise<CpuPerJob> {
  const node = process.cpuUsage(start.node);
  const after = await backendTicks(admin);
  let ticks = 0;
  for (const [pid, t] of after) ticks += t - (start.pg.get(pid) ?? 0);
  const local = start.pg.size > 0 || after.size > 0;
  return { nodeUs: (node.user + node.system) / jobs, pgUs: local ? (ticks * TICK_US) / jobs : NaN };
}
