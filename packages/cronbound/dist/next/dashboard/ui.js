import { jsx as _jsx, jsxs as _jsxs, Fragment as _Fragment } from "react/jsx-runtime";
/** A form posting to the dashboard's action; `intent` says which action it is. */
export function ActionForm({ v, intent, children, className, fields = {} }) {
    return (_jsxs("form", { action: v.action, className: className, children: [_jsx("input", { type: "hidden", name: "intent", value: intent }), Object.entries(fields).map(([k, val]) => _jsx("input", { type: "hidden", name: k, value: val }, k)), children] }));
}
export function DashboardOff() {
    return (_jsxs("section", { className: "dash", children: [_jsx("h1", { children: "Jobs" }), _jsxs("p", { className: "notice", "data-testid": "dashboard-off", children: ["The dashboard is off: this is a production server and ", _jsx("code", { children: "DASHBOARD_SECRET" }), " (config.dashboardSecret) is not set. Set it (12 characters or more) and restart to sign in."] })] }));
}
export function ModeBar({ v, back }) {
    return (_jsxs("div", { className: "dash-bar", children: [v.mode === "open" ? (_jsxs("p", { className: "notice", "data-testid": "dev-notice", children: ["Development mode: the dashboard is open to anyone who can reach this server. In production it requires ", _jsx("code", { children: "DASHBOARD_SECRET" }), "."] })) : (_jsx("span", {})), _jsxs("div", { className: "dash-actions", children: [_jsx(ActionForm, { v: v, intent: "tick", fields: { back }, children: _jsx("button", { type: "submit", "data-testid": "run-tick", children: "Run one tick now" }) }), v.mode === "protected" && (_jsx(ActionForm, { v: v, intent: "signout", children: _jsx("button", { type: "submit", className: "secondary", children: "Sign out" }) }))] })] }));
}
const DONE = {
    retried: "Retried: the job is pending again, due now.",
    cancelled: "Cancelled.",
    tick: "Tick finished",
};
const ERRORS = {
    not_found: "No such job (it may have been pruned).",
    wrong_status: "The job's status changed meanwhile; nothing was done.",
    bad_id: "That is not a job id.",
};
/** The result of the last action, carried in the URL by the action's redirect. */
export function Flash({ done, error, report }) {
    if (error)
        return _jsx("p", { className: "flash bad", role: "status", children: ERRORS[error] ?? "The action failed." });
    if (done && DONE[done]) {
        return (_jsxs("p", { className: "flash ok", role: "status", "data-testid": "flash", children: [DONE[done], done === "tick" && report ? `: ${report.slice(0, 200)}.` : ""] }));
    }
    return null;
}
export function StatusBadge({ status }) {
    return _jsx("span", { className: `badge s-${status}`, children: status });
}
export function Card({ label, value, testId, href, tone }) {
    const body = (_jsxs(_Fragment, { children: [_jsx("span", { className: "card-value", "data-testid": testId, children: value }), _jsx("span", { className: "card-label", children: label })] }));
    return href ? _jsx("a", { className: `card ${tone ?? ""}`, href: href, children: body }) : _jsx("div", { className: `card ${tone ?? ""}`, children: body });
}
export function fmtTime(d) {
    if (!d)
        return "—";
    return new Date(d).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
}
/** "42 s", "7 min", "3 h 5 min", "2 d 4 h". */
export function fmtDuration(seconds) {
    const s = Math.round(seconds);
    if (s < 60)
        return `${s} s`;
    if (s < 3600)
        return `${Math.floor(s / 60)} min`;
    if (s < 86400)
        return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
    return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}
export function fmtAgo(d, now) {
    if (!d)
        return "";
    const s = (now.getTime() - new Date(d).getTime()) / 1000;
    return s >= 0 ? `${fmtDuration(s)} ago` : `in ${fmtDuration(-s)}`;
}
export function Json({ value, testId }) {
    if (value === null || value === undefined)
        return _jsx("p", { className: "muted", "data-testid": testId, children: "none" });
    return _jsx("pre", { className: "json", "data-testid": testId, children: JSON.stringify(value, null, 2) });
}
