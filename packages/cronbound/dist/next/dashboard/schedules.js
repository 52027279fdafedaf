import { jsx as _jsx, jsxs as _jsxs, Fragment as _Fragment } from "react/jsx-runtime";
import { listSchedules } from "../../engine/schedules/store.js";
import { fmtAgo, fmtTime } from "./ui.js";
/**
 * Cron schedules with their next fire time. Rendered only inside a page that has already
 * checked access. The schedules table is small (one row per schedule), read whole.
 */
export async function Schedules({ e, base, now }) {
    const schedules = await listSchedules(e);
    return (_jsxs(_Fragment, { children: [_jsx("h2", { children: "Schedules" }), schedules.length === 0 ? (_jsx("p", { className: "muted", children: "No cron schedules." })) : (_jsxs("table", { "data-testid": "schedules", children: [_jsx("thead", { children: _jsxs("tr", { children: [_jsx("th", { children: "name" }), _jsx("th", { children: "cron" }), _jsx("th", { children: "type" }), _jsx("th", { children: "next fire" }), _jsx("th", { children: "last fire" }), _jsx("th", { children: "last error" })] }) }), _jsx("tbody", { children: schedules.map((s) => (_jsxs("tr", { "data-schedule": s.name, children: [_jsx("td", { children: s.name }), _jsxs("td", { children: [_jsx("code", { children: s.cron }), s.timezone !== "UTC" && _jsxs("span", { className: "muted", children: [" ", s.timezone] })] }), _jsx("td", { children: s.type }), _jsx("td", { "data-testid": `next-fire-${s.name}`, title: fmtTime(s.nextRunAt), children: s.nextRunAt ? _jsxs(_Fragment, { children: [fmtTime(s.nextRunAt), " ", _jsx("span", { className: "muted", children: fmtAgo(s.nextRunAt, now) })] }) : "never again" }), _jsxs("td", { children: [s.lastRunAt ? fmtAgo(s.lastRunAt, now) : "—", s.lastJobId && _jsxs(_Fragment, { children: [" \u00B7 ", _jsxs("a", { href: `${base}/${s.lastJobId}`, children: ["#", s.lastJobId] })] })] }), _jsx("td", { className: "err", children: s.lastError })] }, s.name))) })] }))] }));
}
