import { jsx as _jsx, jsxs as _jsxs, Fragment as _Fragment } from "react/jsx-runtime";
import { notFound } from "next/navigation";
import { getJob } from "../../engine/control.js";
import { dbNow, dependencies } from "./queries.js";
import { one } from "./overview.js";
import { ActionForm, Flash, fmtAgo, fmtTime, Json, ModeBar, StatusBadge } from "./ui.js";
/**
 * progress is what the handler reported: a fraction from 0 to 1, or a small object. An object
 * with numeric `done` and `total` is drawn as a bar too; anything else is shown as JSON.
 */
function fraction(progress) {
    if (typeof progress === "number")
        return progress;
    if (progress && typeof progress === "object") {
        const p = progress;
        if (typeof p.done === "number" && typeof p.total === "number" && p.total > 0)
            return Math.min(1, Math.max(0, p.done / p.total));
    }
    return null;
}
/** One job: its facts, dependencies, failed attempts, payload and result, with Retry and Cancel. */
export async function JobView({ e, v, id, sp }) {
    const job = await getJob(e, id);
    if (!job)
        notFound();
    const [deps, now] = await Promise.all([dependencies(e, job.dependsOn), dbNow(e)]);
    const base = v.base;
    const frac = fraction(job.progress);
    const canRetry = job.status === "failed" || job.status === "cancelled";
    const canCancel = job.status === "pending" || job.status === "processing";
    return (_jsxs("section", { className: "dash", children: [_jsx(ModeBar, { v: v, back: `${base}/${job.id}` }), _jsx(Flash, { done: one(sp.done), error: one(sp.error), report: one(sp.report) }), _jsx("p", { children: _jsx("a", { href: base, children: "\u2190 all jobs" }) }), _jsxs("h1", { children: ["Job #", job.id, " ", _jsx("span", { className: "muted", children: job.type }), " ", _jsx("span", { "data-testid": "job-status", children: _jsx(StatusBadge, { status: job.status }) })] }), _jsxs("div", { className: "job-actions", children: [canRetry && (_jsx(ActionForm, { v: v, intent: "retry", fields: { id: job.id }, children: _jsx("button", { type: "submit", "data-testid": "retry", children: "Retry" }) })), canCancel && (_jsx(ActionForm, { v: v, intent: "cancel", fields: { id: job.id }, children: _jsx("button", { type: "submit", className: "danger", "data-testid": "cancel", children: "Cancel" }) }))] }), (frac !== null || job.status === "processing") && (_jsxs("div", { className: "progress", "data-testid": "progress", children: [_jsx("div", { className: "progress-bar", style: { width: `${Math.round((frac ?? 0) * 100)}%` } }), _jsx("span", { children: frac === null ? "no progress reported" : `${Math.round(frac * 100)} %` })] })), _jsx("table", { className: "facts", children: _jsxs("tbody", { children: [_jsxs("tr", { children: [_jsx("th", { children: "attempts" }), _jsxs("td", { "data-testid": "attempts", children: [job.attempts, " of ", job.maxAttempts] })] }), _jsxs("tr", { children: [_jsx("th", { children: "priority" }), _jsx("td", { children: job.priority })] }), _jsxs("tr", { children: [_jsx("th", { children: "timeout" }), _jsxs("td", { children: [job.timeoutMs.toLocaleString("en-US"), " ms"] })] }), _jsxs("tr", { children: [_jsx("th", { children: "created" }), _jsxs("td", { children: [fmtTime(job.createdAt), " ", _jsx("span", { className: "muted", children: fmtAgo(job.createdAt, now) })] })] }), _jsxs("tr", { children: [_jsx("th", { children: "run at" }), _jsxs("td", { children: [fmtTime(job.runAt), " ", _jsx("span", { className: "muted", children: fmtAgo(job.runAt, now) })] })] }), _jsxs("tr", { children: [_jsx("th", { children: "started" }), _jsxs("td", { children: [fmtTime(job.startedAt), " ", _jsx("span", { className: "muted", children: fmtAgo(job.startedAt, now) })] })] }), _jsxs("tr", { children: [_jsx("th", { children: "finished" }), _jsxs("td", { children: [fmtTime(job.finishedAt), " ", _jsx("span", { className: "muted", children: fmtAgo(job.finishedAt, now) })] })] }), _jsxs("tr", { children: [_jsx("th", { children: "updated" }), _jsx("td", { children: fmtTime(job.updatedAt) })] }), job.lockedBy && (_jsxs("tr", { children: [_jsx("th", { children: "lease" }), _jsxs("td", { children: [job.lockedBy, " until ", fmtTime(job.lockedUntil)] })] })), job.idempotencyKey && _jsxs("tr", { children: [_jsx("th", { children: "idempotency key" }), _jsx("td", { children: _jsx("code", { children: job.idempotencyKey }) })] }), job.lastError && _jsxs("tr", { children: [_jsx("th", { children: "last error" }), _jsx("td", { className: "err", "data-testid": "last-error", children: job.lastError })] })] }) }), _jsx("h2", { children: "Dependencies" }), job.dependsOn.length === 0 ? (_jsx("p", { className: "muted", children: "None." })) : (_jsxs(_Fragment, { children: [job.blocked && _jsx("p", { className: "muted", children: "Waiting until every dependency completes." }), _jsx("ul", { "data-testid": "dependencies", children: job.dependsOn.map((d) => {
                            const dep = deps.find((x) => x.id === d);
                            return (_jsxs("li", { children: [_jsxs("a", { href: `${base}/${d}`, children: ["#", d] }), " ", dep ? _jsxs(_Fragment, { children: [dep.type, " ", _jsx(StatusBadge, { status: dep.status })] }) : _jsx("span", { className: "muted", children: "(pruned)" })] }, d));
                        }) })] })), _jsx("h2", { children: "Attempts that failed" }), job.errors.length === 0 ? (_jsx("p", { className: "muted", children: "None." })) : (_jsxs("table", { "data-testid": "errors", children: [_jsx("thead", { children: _jsxs("tr", { children: [_jsx("th", { children: "attempt" }), _jsx("th", { children: "at" }), _jsx("th", { children: "error" })] }) }), _jsx("tbody", { children: job.errors.map((e, i) => (_jsxs("tr", { children: [_jsx("td", { className: "num", children: e.attempt }), _jsx("td", { children: fmtTime(e.at) }), _jsx("td", { className: "err", children: e.error })] }, i))) })] })), _jsx("h2", { children: "Payload" }), _jsx(Json, { value: job.payload, testId: "payload" }), _jsx("h2", { children: "Result" }), _jsx(Json, { value: job.result, testId: "result" }), job.progress !== null && frac === null && (_jsxs(_Fragment, { children: [_jsx("h2", { children: "Progress" }), _jsx(Json, { value: job.progress })] }))] }));
}
