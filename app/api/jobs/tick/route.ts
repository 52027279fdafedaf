import { readJsonBody } from "@/lib/http/body";
import { json } from "@/lib/http/respond";
import { machineRoute } from "@/lib/http/route";
import { MAX_TICK_BODY_BYTES, parseTickRequest, runRouteTick } from "@/lib/http/tick";

// The tick's budget is this minus a safety margin (lib/http/budget.ts), or less when Vercel's
// getDeadline() says so. 300 s is the most Hobby allows; Pro allows up to 800.
export const maxDuration = 300;
export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Vercel Cron: every minute (vercel.json), `Authorization: Bearer $CRON_SECRET`. */
export const GET = machineRoute("tick", async () => json(await runRouteTick("cron", {}, maxDuration)));

/** Manual trigger; an optional JSON body narrows the run: { budgetMs?, batchSize?, concurrency?, types? }. */
export const POST = machineRoute("tick", async (request) => {
  const body = await readJsonBody(request, MAX_TICK_BODY_BYTES, { allowEmpty: true });
  if (!body.ok) return body.response;
  const parsed = parseTickRequest(body.value, body.empty);
  if (!parsed.ok) return parsed.response;
  return json(await runRouteTick("manual", parsed.value, maxDuration));
});
