import type { Engine } from "../../engine/context.ts";
import { listSchedules } from "../../engine/schedules/store.ts";
import { fmtAgo, fmtTime } from "./ui.tsx";

/**
 * Cron schedules with their next fire time. Rendered only inside a page that has already
 * checked access. The schedules table is small (one row per schedule), read whole.
 */
export async function Schedules({ e, base, now }: { e: Engine; base: string; now: Date }) {
  const schedules = await listSchedules(e);
  return (
    <>
      <h2>Schedules</h2>
      {schedules.length === 0 ? (
        <p className="muted">No cron schedules.</p>
      ) : (
        <table data-testid="schedules">
          <thead>
            <tr><th>name</th><th>cron</th><th>type</th><th>next fire</th><th>last fire</th><th>last error</th></tr>
          </thead>
          <tbody>
            {schedules.map((s) => (
              <tr key={s.name} data-schedule={s.name}>
                <td>{s.name}</td>
                <td><code>{s.cron}</code>{s.timezone !== "UTC" && <span className="muted"> {s.timezone}</span>}</td>
                <td>{s.type}</td>
                <td data-testid={`next-fire-${s.name}`} title={fmtTime(s.nextRunAt)}>
                  {s.nextRunAt ? <>{fmtTime(s.nextRunAt)} <span className="muted">{fmtAgo(s.nextRunAt, now)}</span></> : "never again"}
                </td>
                <td>
                  {s.lastRunAt ? fmtAgo(s.lastRunAt, now) : "—"}
                  {s.lastJobId && <> · <a href={`${base}/${s.lastJobId}`}>#{s.lastJobId}</a></>}
                </td>
                <td className="err">{s.lastError}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
