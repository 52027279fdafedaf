import { EnqueueError } from "../engine/errors.js";
import { json, problem } from "./respond.js";
const STATUS = {
    unknown_type: 422,
    invalid_payload: 422,
    invalid_options: 422,
    too_large: 413,
};
/**
 * POST /api/jobs: `{ type, payload, ...options }`. Every check is enqueue's own (type,
 * payload schema, options, size), so the HTTP API accepts exactly what server code may
 * enqueue, and a refused request writes nothing.
 */
export async function enqueueFromRequest(queue, body, location) {
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
        return problem(422, "invalid_request", "request body must be a JSON object: { type, payload, ...options }");
    }
    // `tx` and `now` are server-side options of queue.enqueue (a transaction, a test clock):
    // never something a client may pass.
    const { type, payload, tx, now, ...options } = body;
    const forbidden = Object.entries({ tx, now }).filter(([, v]) => v !== undefined).map(([k]) => k);
    if (forbidden.length) {
        return problem(422, "invalid_options", `unknown option(s): ${forbidden.join(", ")}`, {
            issues: forbidden.map((k) => ({ path: [k], message: "unrecognized key", code: "unrecognized_keys" })),
        });
    }
    try {
        // Cast: the type name is checked against the registry inside enqueue, not by TypeScript.
        const { job, created } = await queue.enqueue(type, payload, options);
        const answer = { id: job.id, status: job.status, created };
        return created ? json(answer, 201, { location: location(job.id) }) : json(answer, 200);
    }
    catch (err) {
        if (err instanceof EnqueueError)
            return problem(STATUS[err.code], err.code, err.message, { issues: err.issues.map(flatPath) });
        throw err;
    }
}
/** Options travel flat in the body, so `options.delayMs` is reported as `delayMs`. */
function flatPath(issue) {
    return issue.path[0] === "options" ? { ...issue, path: issue.path.slice(1) } : issue;
}
