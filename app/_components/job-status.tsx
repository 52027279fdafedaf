"use client";

import { useEffect, useState } from "react";
import { getJobStatus } from "../actions";
import type { JobStatusView } from "./types";

const FINAL = new Set(["completed", "failed", "cancelled"]);
const POLL_MS = 250;
const GIVE_UP_MS = 2 * 60_000;

function progressText(p: unknown): string | null {
  return typeof p === "number" ? `${Math.round(p * 100)}%` : null;
}

/** The job just enqueued, followed until it finishes: the kick makes this take milliseconds. */
export function JobStatusLine({ job }: { job: { id: string; type: string; status: string; token: string } }) {
  const [view, setView] = useState<Pick<JobStatusView, "status" | "attempts" | "progress" | "waitingOn">>({
    status: job.status as JobStatusView["status"],
    attempts: 0,
    progress: null,
    waitingOn: null,
  });
  const [waited, setWaited] = useState(0);

  useEffect(() => {
    let stopped = false;
    const started = Date.now();
    const poll = async () => {
      while (!stopped && Date.now() - started < GIVE_UP_MS) {
        await new Promise((r) => setTimeout(r, POLL_MS));
        const v = await getJobStatus(job.id, job.token).catch(() => null);
        if (stopped) return;
        if (v) setView(v);
        setWaited(Date.now() - started);
        if (v && FINAL.has(v.status)) return;
      }
    };
    void poll();
    return () => {
      stopped = true;
    };
  }, [job.id, job.token]);

  const progress = progressText(view.progress);
  return (
    <p className="enq-result" data-testid="job-result" data-job-id={job.id} data-status={view.status}>
      Enqueued {job.type} job{" "}
      <a href={`/jobs/${job.id}`} data-testid="job-link">
        #{job.id}
      </a>
      : <span className={`badge s-${view.status}`}>{view.status}</span>
      {progress && view.status === "processing" ? <span className="muted"> ({progress})</span> : null}
      {view.waitingOn ? <span className="muted" data-testid="job-waiting"> waiting ({view.waitingOn})</span> : null}
      {!FINAL.has(view.status) && !view.waitingOn && waited > 5_000 ? (
        <span className="enq-hint"> — waiting for the next tick (the kick may not have fit)</span>
      ) : null}
    </p>
  );
}
