import { jsx as _jsx, jsxs as _jsxs } from "react/jsx-runtime";
import { ActionForm, DashboardOff } from "./ui.js";
/** A page the sign-in may send the user back to: the overview or one job. */
export function safeNext(base, next) {
    if (typeof next !== "string")
        return base;
    const rest = next.startsWith(base) ? next.slice(base.length) : null;
    return rest !== null && /^(\/[0-9]{1,19})?$/.test(rest) ? next : base;
}
export function Login({ v, access, sp }) {
    if (access.mode === "off")
        return _jsx(DashboardOff, {});
    if (access.mode === "open") {
        return (_jsxs("section", { className: "dash narrow", children: [_jsx("h1", { children: "Sign in" }), _jsxs("p", { className: "notice", children: ["Development mode: no sign-in needed. ", _jsx("a", { href: v.base, children: "Open the dashboard" }), "."] })] }));
    }
    const next = safeNext(v.base, sp.next);
    return (_jsxs("section", { className: "dash narrow", children: [_jsx("h1", { children: "Sign in to the jobs dashboard" }), access.allowed && _jsxs("p", { className: "muted", children: ["You are signed in. ", _jsx("a", { href: v.base, children: "Open the dashboard" }), "."] }), sp.error && _jsx("p", { className: "flash bad", role: "alert", "data-testid": "login-error", children: "Wrong secret." }), _jsxs(ActionForm, { v: v, intent: "signin", className: "login", fields: { next }, children: [_jsxs("label", { children: ["Dashboard secret (", _jsx("code", { children: "DASHBOARD_SECRET" }), ")", _jsx("input", { type: "password", name: "secret", required: true, autoComplete: "current-password", autoFocus: true })] }), _jsx("button", { type: "submit", children: "Sign in" })] })] }));
}
