import type { JobStatus } from "cronbound";

/** What a demo form's server action answers; the form renders each kind. */
export type EnqueueState =
  | { kind: "idle" }
  | { kind: "invalid"; fieldErrors: Record<string, string[] | undefined>; values: Record<string, string> }
  | { kind: "error"; message: string; values: Record<string, string> }
  | { kind: "enqueued"; job: { id: string; type: string; status: JobStatus; token: string } };

export interface JobStatusView {
  id: string;
  status: JobStatus;
  attempts: number;
  /** A number from 0 to 1 when the job reports one; null otherwise. */
  progress: number | null;
  /** A pending job's waits in progress, by kind ("sleep", "event", "invoke"); null when none. */
  waitingOn: string | null;
}

/** What the demo's event form (sendActivation) answers. */
export type EventState =
  | { kind: "idle" }
  | { kind: "invalid"; fieldErrors: Record<string, string[] | undefined>; values: Record<string, string> }
  | { kind: "error"; message: string; values: Record<string, string> }
  | { kind: "sent"; resumed: number; email: string };
