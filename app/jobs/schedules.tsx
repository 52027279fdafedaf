/** Placeholder until lib/jobs/schedules.ts lands: then this lists each schedule with its next fire time. */
export async function Schedules(_: { now: Date }) {
  return null;
}
