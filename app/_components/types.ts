import type { JobStatus } from "cronbound";

/** What a demo form's server action answers; the form renders each kind. */
export type EnqueueState =
  | { kind: "idle" }
  | { kind: "invalid"; fieldErrors: Record<string, string[] | undefined>; values: Record<string, string> }
  | { kind: "error"; message: string; values: Record<string, string> }
  | { kind: "enqueued"; job: { id: string; type: string; status: JobStatus } };

export interface JobStatusView {
  id: string;
  status: JobStatus;
  attempts: number;
  progress: unknown;
}
