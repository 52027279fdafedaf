import type { Queue } from "../queue.ts";
/**
 * POST /api/jobs: `{ type, payload, ...options }`. Every check is enqueue's own (type,
 * payload schema, options, size), so the HTTP API accepts exactly what server code may
 * enqueue, and a refused request writes nothing.
 */
export declare function enqueueFromRequest(queue: Queue, body: unknown, location: (id: string) => string): Promise<Response>;
