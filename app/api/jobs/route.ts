import { MAX_BODY_BYTES, readJsonBody } from "@/lib/http/body";
import { enqueueFromRequest } from "@/lib/http/enqueue";
import { machineRoute } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Enqueue: { type, payload, runAt?, delayMs?, priority?, maxAttempts?, timeoutMs?, idempotencyKey?, dependsOn? }. */
export const POST = machineRoute("enqueue", async (request) => {
  const body = await readJsonBody(request, MAX_BODY_BYTES);
  if (!body.ok) return body.response;
  return enqueueFromRequest(body.value);
});
