// cronbound/next: the HTTP endpoints as route handlers, and the kick for `after()`.
export { createRouteHandlers, type RouteHandlers, type RouteOptions } from "./routes.ts";
export { kick, KICK_SLACK_MS, type KickOptions } from "./kick.ts";
export { tickBudgetMs, SAFETY_MARGIN_MS, type BudgetInput } from "./budget.ts";
export { checkBearer, clientAddress, isLoopbackRequest, type AuthResult } from "./auth.ts";
export { isDatabaseUnavailable } from "./errors.ts";
export { jobJson, type JobJson } from "./serialize.ts";
export { MAX_BODY_BYTES } from "./body.ts";
export { MAX_TICK_BODY_BYTES, tickRequestSchema, type TickRequest } from "./tick.ts";
export { MAX_EVENT_BODY_BYTES, MAX_HTTP_WAIT_MS } from "./steps.ts";
