import type { Queue } from "../queue.ts";
import { authResponse, checkBearer, isLoopbackRequest } from "./auth.ts";
import { errorResponse } from "./errors.ts";

/**
 * Wraps a machine endpoint (everything under /api/jobs): the Bearer check runs first, so a
 * refused request reads nothing and writes nothing; any error becomes a JSON answer
 * (errors.ts) instead of Next's HTML error page.
 */
export function machineRoute<Ctx>(queue: Queue, context: string, handler: (request: Request, ctx: Ctx) => Promise<Response>) {
  return async (request: Request, ctx: Ctx): Promise<Response> => {
    try {
      const c = queue.config;
      const denied = authResponse(queue, checkBearer(request.headers.get("authorization"), c.cronSecret, c.production, isLoopbackRequest(request.headers, request.url)));
      if (denied) return denied;
      return await handler(request, ctx);
    } catch (err) {
      return errorResponse(queue, err, context);
    }
  };
}
