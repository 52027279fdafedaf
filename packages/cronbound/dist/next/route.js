import { authResponse, checkBearer } from "./auth.js";
import { errorResponse } from "./errors.js";
/**
 * Wraps a machine endpoint (everything under /api/jobs): the Bearer check runs first, so a
 * refused request reads nothing and writes nothing; any error becomes a JSON answer
 * (errors.ts) instead of Next's HTML error page.
 */
export function machineRoute(queue, context, handler) {
    return async (request, ctx) => {
        try {
            const c = queue.config;
            const denied = authResponse(queue, checkBearer(request.headers.get("authorization"), c.cronSecret, c.production));
            if (denied)
                return denied;
            return await handler(request, ctx);
        }
        catch (err) {
            return errorResponse(queue, err, context);
        }
    };
}
