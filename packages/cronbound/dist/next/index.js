// cronbound/next: the HTTP endpoints as route handlers, and the kick for `after()`.
export { createRouteHandlers } from "./routes.js";
export { kick, KICK_SLACK_MS } from "./kick.js";
export { tickBudgetMs, SAFETY_MARGIN_MS } from "./budget.js";
export { checkBearer } from "./auth.js";
export { isDatabaseError } from "./errors.js";
export { jobJson } from "./serialize.js";
export { MAX_BODY_BYTES } from "./body.js";
export { MAX_TICK_BODY_BYTES, tickRequestSchema } from "./tick.js";
