import type { Engine } from "../../engine/context.ts";
import { CANCELLABLE, countMatching, filterConditions, jobFilterSchema, MAX_BULK, RETRYABLE, type JobFilter } from "../../engine/bulk.ts";
import type { Sql } from "../../sql.ts";
import { ActionForm, type ViewContext } from "./ui.tsx";

// The overview's incident tools: a search box (id, idempotency key, error text), three more
// list filters (enqueued from/to, error text), and bulk Retry / Cancel of everything the
// filters match, with the count shown on a confirmation step before anything runs. Rendered
// only inside the overview, after its access check; the actions check access again
// (incident-actions.ts).

type Search = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** The list's extra filters from the URL. Malformed ones are dropped (and named), as the page's other filters are. */
export function incidentFilter(sp: Search): { filter: Pick<JobFilter, "from" | "to" | "text">; ignored: string[] } {
  const filter: Pick<JobFilter, "from" | "to" | "text"> = {};
  const ignored: string[] = [];
  for (const key of ["from", "to", "text"] as const) {
    const raw = one(sp[key]);
    if (raw === undefined || raw === "") continue;
    const parsed = jobFilterSchema.safeParse({ [key]: raw });
    if (parsed.success) Object.assign(filter, parsed.data);
    else ignored.push(key);
  }
  if (filter.from && filter.to && filter.from >= filter.to) {
    delete filter.to;
    ignored.push("to");
  }
  return { filter, ignored };
}

/** The SQL conditions of the extra filters, for the list (queries.ts listJobs). */
export function incidentConditions(e: Engine, f: Pick<JobFilter, "from" | "to" | "text">): Sql[] {
  return filterConditions(e, f);
}

/** The extra filters as URL parameters (the pager and the bulk forms carry them). */
export function incidentParams(f: Pick<JobFilter, "from" | "to" | "text">): Record<string, string> {
  const p: Record<string, string> = {};
  if (f.from) p.from = f.from.toISOString();
  if (f.to) p.to = f.to.toISOString();
  if (f.text) p.text = f.text;
  return p;
}

// datetime-local shows and sends local wall time without a zone; the dashboard speaks UTC.
const local = (d: Date | undefined) => (d ? d.toISOString().slice(0, 16) : "");

/** The inputs added to the list's filter form. */
export function ExtraFilterFields({ f, ignored }: { f: Pick<JobFilter, "from" | "to" | "text">; ignored: string[] }) {
  return (
    <>
      <label>
        enqueued from (UTC) <input type="datetime-local" name="from" defaultValue={local(f.from)} data-testid="filter-from" />
      </label>
      <label>
        to <input type="datetime-local" name="to" defaultValue={local(f.to)} data-testid="filter-to" />
      </label>
      <label>
        error contains <input type="search" name="text" defaultValue={f.text ?? ""} maxLength={200} placeholder="SMTP 550" data-testid="filter-text" />
      </label>
      {ignored.length > 0 && <span className="flash bad" data-testid="filter-ignored">ignored malformed: {ignored.join(", ")}</span>}
    </>
  );
}

/** Find one job by id or idempotency key; anything else searches the error text. */
export function SearchBox({ base }: { base: string }) {
  return (
    <form method="get" action={`${base}/search`} className="filters search" data-testid="search">
      <input type="search" name="q" required maxLength={255} placeholder="job id, idempotency key or error text" aria-label="search jobs" />
      <button type="submit" className="secondary">Search</button>
    </form>
  );
}

export interface BulkFilter extends JobFilter {}

/** The whole filter the list shows, as the bulk forms send it. */
export function bulkFields(f: BulkFilter): Record<string, string> {
  const p: Record<string, string> = { ...incidentParams(f) };
  if (f.type) p.type = f.type;
  if (f.status) p.status = f.status;
  return p;
}

function describe(f: BulkFilter): string {
  const parts: string[] = [];
  if (f.status) parts.push(`status ${f.status}`);
  if (f.type) parts.push(`type ${f.type}`);
  if (f.from) parts.push(`enqueued from ${f.from.toISOString()}`);
  if (f.to) parts.push(`before ${f.to.toISOString()}`);
  if (f.text) parts.push(`error containing "${f.text}"`);
  return parts.length ? parts.join(", ") : "no filter: every job";
}

const fmt = (n: number) => (n > MAX_BULK ? `more than ${MAX_BULK.toLocaleString("en-US")}` : n.toLocaleString("en-US"));

/**
 * Under the filters: how many matching jobs can be retried (failed, cancelled) or cancelled
 * (pending, processing), each with a button to a confirmation step (`?confirm=retry|cancel`)
 * that shows the count again and posts the filter with it. The action touches at most that
 * count, in batches.
 */
export async function BulkPanel({ e, v, f, here, confirm }: { e: Engine; v: ViewContext; f: BulkFilter; here: string; confirm?: string }) {
  const [retryable, cancellable] = await Promise.all([countMatching(e, f, RETRYABLE), countMatching(e, f, CANCELLABLE)]);
  const sep = here.includes("?") ? "&" : "?";
  const kinds = [
    { kind: "retry", n: retryable, verb: "Retry", what: "failed or cancelled" },
    { kind: "cancel", n: cancellable, verb: "Cancel", what: "pending or running" },
  ] as const;
  const chosen = kinds.find((k) => k.kind === confirm);
  return (
    <div className="bulk" id="bulk" data-testid="bulk">
      {chosen && chosen.n > 0 ? (
        <div className="notice" data-testid={`confirm-${chosen.kind}`}>
          <p>
            {chosen.verb} <strong data-testid="confirm-count">{fmt(chosen.n)}</strong> {chosen.what} job{chosen.n === 1 ? "" : "s"} matching{" "}
            <em>{describe(f)}</em>
            {chosen.n > MAX_BULK ? ` (the first ${MAX_BULK.toLocaleString("en-US")}, oldest first; run it again for the rest)` : ""}?
          </p>
          <div className="job-actions">
            <ActionForm v={v} intent={`bulk-${chosen.kind}`} fields={{ ...bulkFields(f), expected: String(Math.min(chosen.n, MAX_BULK)), back: here }}>
              <button type="submit" className={chosen.kind === "cancel" ? "danger" : undefined} data-testid="confirm-bulk">
                {chosen.verb} {fmt(Math.min(chosen.n, MAX_BULK))}
              </button>
            </ActionForm>
            <a href={`${here}#list`}>not now</a>
          </div>
        </div>
      ) : (
        <p className="muted">
          Matching: <span data-testid="bulk-retryable">{fmt(retryable)}</span> to retry, <span data-testid="bulk-cancellable">{fmt(cancellable)}</span> to cancel.{" "}
          {retryable > 0 && <a href={`${here}${sep}confirm=retry#bulk`} data-testid="bulk-retry">Retry all…</a>}{" "}
          {cancellable > 0 && <a href={`${here}${sep}confirm=cancel#bulk`} data-testid="bulk-cancel">Cancel all…</a>}
        </p>
      )}
    </div>
  );
}

const DONE: Record<string, string> = {
  "bulk-retried": "Retried",
  "bulk-cancelled": "Cancelled",
  paused: "Paused",
  resumed: "Resumed",
};

/** The result of a bulk or pause action (Flash in ui.tsx shows the page's other results). */
export function IncidentFlash({ sp }: { sp: Search }) {
  const done = one(sp.done);
  if (!done || !DONE[done]) return null;
  const report = one(sp.report)?.slice(0, 200);
  return (
    <p className="flash ok" role="status" data-testid="flash">
      {DONE[done]}
      {report ? `: ${report}` : ""}.
    </p>
  );
}
