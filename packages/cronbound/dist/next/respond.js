// Every machine endpoint answers JSON, errors included: { error, code, issues? }.
const NO_STORE = { "cache-control": "no-store" };
export function json(data, status = 200, headers = {}) {
    return Response.json(data, { status, headers: { ...NO_STORE, ...headers } });
}
export function problem(status, code, message, extra = {}) {
    const body = extra.issues?.length ? { error: message, code, issues: extra.issues } : { error: message, code };
    return json(body, status, extra.headers);
}
