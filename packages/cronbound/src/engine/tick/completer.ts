import type { Engine } from "../context.ts";
import { claimJobs, claimJobsCompleting, type ClaimOptions } from "../claim.ts";
import { completeAttempts, type Attempt } from "../finalize.ts";
import type { Job } from "../types.ts";

/**
 * Batches completions: a job that finishes while a completion write is in flight waits for
 * it and goes out with the others in the next statement. Idle, the write starts on the next
 * turn of the event loop (setImmediate), so jobs of one claim that finish together share one
 * statement instead of the first going alone; busy, N finishing jobs cost one round trip
 * instead of N. Each row is still fenced.
 *
 * When the tick is about to claim, the waiting completions ride along in the claim statement
 * instead (claimJobsCompleting): "finish these, take the next ones" is one round trip and one
 * commit. A no-op drain at concurrency 10 then costs one statement per 10 jobs instead of two.
 */
export class Completer {
  private queue: { a: Attempt; result: unknown; resolve: (ok: boolean) => void; reject: (e: unknown) => void }[] = [];
  private flushing: Promise<void> | null = null;
  /** A claim is about to carry the queue (or is carrying it): no separate write for it. */
  private claiming = false;

  constructor(private e: Engine, private workerId: string, private now?: Date) {}

  complete(a: Attempt, result: unknown): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ a, result, resolve, reject });
      this.schedule();
    });
  }

  /** claimJobs, carrying whatever completions are waiting (not those already being written). */
  async claim(o: ClaimOptions): Promise<Job[]> {
    this.claiming = true;
    try {
      await nextTurn(); // jobs that just ended queue their completions in this turn
      const batch = this.queue.splice(0, 500);
      if (!batch.length) return await claimJobs(this.e, o);
      try {
        const { jobs, completed } = await claimJobsCompleting(this.e, o, batch.map((b) => ({ ...b.a, result: b.result })));
        for (const b of batch) b.resolve(completed.has(b.a.id));
        return jobs;
      } catch (err) {
        for (const b of batch) b.reject(err);
        throw err;
      }
    } finally {
      this.claiming = false;
      this.schedule();
    }
  }

  async idle(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private schedule(): void {
    if (this.claiming || this.flushing || !this.queue.length) return;
    this.flushing = nextTurn().then(() => this.flush());
  }

  private async flush(): Promise<void> {
    while (this.queue.length && !this.claiming) {
      const batch = this.queue.splice(0, 500);
      try {
        const done = await completeAttempts(this.e, this.workerId, batch.map((b) => ({ ...b.a, result: b.result })), this.now);
        for (const b of batch) b.resolve(done.has(b.a.id));
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    }
    this.flushing = null;
  }
}

export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
