import { jsx as _jsx, jsxs as _jsxs } from "react/jsx-runtime";
import { getStats } from "../../engine/stats.js";
import { JOB_STATUSES } from "../../engine/types.js";
import { ThroughputChart } from "./chart.js";
import { listFilterSchema, listJobs, recentFailures } from "./queries.js";
import { Schedules } from "./schedules.js";
import { Card, Flash, fmtAgo, fmtDuration, fmtTime, ModeBar, StatusBadge } from "./ui.js";
export const one = (v) => (Array.isArray(v) ? v[0] : v);
/** The filters of the list as they appear in this page's URL. */
export function overviewHref(base, sp) {
    const filter = listFilterSchema.parse({ status: one(sp.status), type: one(sp.type), before: one(sp.before) });
    return `${base}${query(filter)}`;
}
/** The overview: counts, the last hour, failures, schedules, and every job (filtered, paged). */
export async function Overview({ e, v, sp }) {
    const filter = listFilterSchema.parse({ status: one(sp.status), type: one(sp.type), before: one(sp.before) });
    const here = `${v.base}${query(filter)}`;
    const base = v.base;
    const [stats, page, failures] = await Promise.all([getStats(e), listJobs(e, filter), recentFailures(e)]);
    const now = new Date(stats.now);
    const types = Object.keys(stats.byType).sort();
    if (filter.type && !types.includes(filter.type))
        types.push(filter.type);
    const lastHour = stats.perMinute.reduce((a, m) => ({ c: a.c + m.completed, f: a.f + m.failed }), { c: 0, f: 0 });
    return (_jsxs("section", { className: "dash", children: [_jsx(ModeBar, { v: v, back: here }), _jsx(Flash, { done: one(sp.done), error: one(sp.error), report: one(sp.report) }), _jsx("h1", { children: "Jobs" }), _jsx("div", { className: "cards", "data-testid": "counts", children: JOB_STATUSES.map((s) => (_jsx(Card, { label: s, value: stats.counts[s].toLocaleString("en-US"), testId: `count-${s}`, href: `${base}?status=${s}#list`, tone: `s-${s}` }, s))) }), _jsxs("div", { className: "cards small", children: [_jsx(Card, { label: "oldest pending job waiting", value: stats.oldestPendingAgeSeconds > 0 ? fmtDuration(stats.oldestPendingAgeSeconds) : "none", testId: "oldest-pending" }), _jsx(Card, { label: "failure rate, last hour", value: stats.failureRate === null ? "—" : `${(stats.failureRate * 100).toFixed(1)} %`, testId: "failure-rate" }), _jsx(Card, { label: "scheduled for later", value: stats.scheduled.toLocaleString("en-US"), testId: "count-scheduled" }), _jsx(Card, { label: "waiting on dependencies", value: stats.blocked.toLocaleString("en-US"), testId: "count-blocked" })] }), _jsx("h2", { children: "Finished per minute, last hour" }), _jsxs("p", { className: "muted", children: [_jsx("span", { className: "key ok" }), " completed ", lastHour.c.toLocaleString("en-US"), " \u00B7 ", _jsx("span", { className: "key bad" }), " failed", " ", lastHour.f.toLocaleString("en-US")] }), _jsx(ThroughputChart, { series: stats.perMinute }), _jsx("h2", { children: "By type" }), types.length === 0 ? (_jsx("p", { className: "muted", children: "No jobs yet." })) : (_jsxs("table", { "data-testid": "by-type", children: [_jsx("thead", { children: _jsxs("tr", { children: [_jsx("th", { children: "type" }), JOB_STATUSES.map((s) => _jsx("th", { className: "num", children: s }, s))] }) }), _jsx("tbody", { children: types.filter((t) => stats.byType[t]).map((t) => (_jsxs("tr", { "data-type": t, children: [_jsx("td", { children: _jsx("a", { href: `${base}?type=${encodeURIComponent(t)}#list`, children: t }) }), JOB_STATUSES.map((s) => (_jsx("td", { className: "num", "data-status": s, children: stats.byType[t][s].toLocaleString("en-US") }, s)))] }, t))) })] })), _jsx("h2", { children: "Recent failures" }), failures.length === 0 ? (_jsx("p", { className: "muted", children: "No failed jobs." })) : (_jsxs("table", { "data-testid": "recent-failures", children: [_jsx("thead", { children: _jsxs("tr", { children: [_jsx("th", { children: "job" }), _jsx("th", { children: "type" }), _jsx("th", { children: "attempts" }), _jsx("th", { children: "failed" }), _jsx("th", { children: "last error" })] }) }), _jsx("tbody", { children: failures.map((f) => (_jsxs("tr", { children: [_jsx("td", { children: _jsxs("a", { href: `${base}/${f.id}`, children: ["#", f.id] }) }), _jsx("td", { children: f.type }), _jsx("td", { className: "num", children: f.attempts }), _jsx("td", { title: fmtTime(f.finishedAt), children: fmtAgo(f.finishedAt, now) }), _jsx("td", { className: "err", children: f.lastError })] }, f.id))) })] })), _jsx(Schedules, { e: e, base: base, now: now }), _jsx("h2", { id: "list", children: "All jobs" }), _jsxs("form", { method: "get", action: `${base}#list`, className: "filters", "data-testid": "filters", children: [_jsxs("label", { children: ["status", " ", _jsxs("select", { name: "status", defaultValue: filter.status ?? "", children: [_jsx("option", { value: "", children: "any" }), JOB_STATUSES.map((s) => _jsx("option", { value: s, children: s }, s))] })] }), _jsxs("label", { children: ["type", " ", _jsxs("select", { name: "type", defaultValue: filter.type ?? "", children: [_jsx("option", { value: "", children: "any" }), types.map((t) => _jsx("option", { value: t, children: t }, t))] })] }), _jsx("button", { type: "submit", className: "secondary", children: "Filter" }), (filter.status || filter.type) && _jsx("a", { href: `${base}#list`, children: "clear" })] }), page.jobs.length === 0 ? (_jsx("p", { className: "muted", "data-testid": "job-list-empty", children: "No jobs match." })) : (_jsxs("table", { "data-testid": "job-list", children: [_jsx("thead", { children: _jsxs("tr", { children: [_jsx("th", { children: "job" }), _jsx("th", { children: "type" }), _jsx("th", { children: "status" }), _jsx("th", { children: "attempts" }), _jsx("th", { children: "created" }), _jsx("th", { children: "finished" }), _jsx("th", { children: "last error" })] }) }), _jsx("tbody", { children: page.jobs.map((j) => (_jsxs("tr", { "data-job-id": j.id, children: [_jsx("td", { children: _jsxs("a", { href: `${base}/${j.id}`, children: ["#", j.id] }) }), _jsx("td", { children: j.type }), _jsx("td", { children: _jsx(StatusBadge, { status: j.status }) }), _jsxs("td", { className: "num", children: [j.attempts, "/", j.maxAttempts] }), _jsx("td", { title: fmtTime(j.createdAt), children: fmtAgo(j.createdAt, now) }), _jsx("td", { title: fmtTime(j.finishedAt), children: fmtAgo(j.finishedAt, now) }), _jsx("td", { className: "err", children: j.lastError })] }, j.id))) })] })), _jsxs("nav", { className: "pager", children: [filter.before && _jsx("a", { href: `${base}${query({ ...filter, before: undefined })}#list`, children: "\u00AB newest" }), page.nextBefore && (_jsx("a", { href: `${base}${query({ ...filter, before: page.nextBefore })}#list`, "data-testid": "older", children: "older \u00BB" }))] })] }));
}
function query(f) {
    const q = new URLSearchParams();
    if (f.status)
        q.set("status", f.status);
    if (f.type)
        q.set("type", f.type);
    if (f.before)
        q.set("before", f.before);
    const s = q.toString();
    return s ? `?${s}` : "";
}
