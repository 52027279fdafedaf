import { z } from "zod";

// A job id is a PostgreSQL bigint greater than zero: 1 to 9223372036854775807. Every way in
// (the HTTP routes, dependsOn, the dashboard's pages and forms, the CLI) checks ids here, so an
// id the database cannot hold is refused as "not a job id" before any SQL runs.

/** The largest job id: PostgreSQL's bigint maximum, 2^63 - 1. */
export const MAX_JOB_ID = 9223372036854775807n;
const DIGITS = /^[1-9][0-9]{0,18}$/;

/** A job id as the API accepts it: a string of digits from 1 to 2^63 - 1, no sign, no leading zero. */
export function isJobId(id: unknown): id is string {
  return typeof id === "string" && DIGITS.test(id) && BigInt(id) <= MAX_JOB_ID;
}

/** The zod form of isJobId: a string, or a safe positive integer (JSON numbers), as a string. */
export const jobIdSchema = z
  .union([z.string(), z.number().int().positive().max(Number.MAX_SAFE_INTEGER)])
  .transform(String)
  .refine(isJobId, "must be a job id (an integer from 1 to 9223372036854775807)");
