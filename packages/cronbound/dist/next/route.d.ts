import type { Queue } from "../queue.ts";
/**
 * Wraps a machine endpoint (everything under /api/jobs): the Bearer check runs first, so a
 * refused request reads nothing and writes nothing; any error becomes a JSON answer
 * (errors.ts) instead of Next's HTML error page.
 */
export declare function machineRoute<Ctx>(queue: Queue, context: string, handler: (request: Request, ctx: Ctx) => Promise<Response>): (request: Request, ctx: Ctx) => Promise<Response>;
