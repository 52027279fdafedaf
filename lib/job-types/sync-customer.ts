import { z } from "zod";
import { defineJob, sleep } from "cronbound";
import { demoDelayMs } from "./send-email.ts";

/**
 * A limited job type (docs/FLOW-CONTROL.md): syncing a customer with an API that allows two
 * concurrent calls per customer. At most 2 run at once per customerId, across every tick and
 * host; the rest wait pending without burning an attempt. The dashboard's Limits section shows
 * it and can override the limit at run time. The call is simulated (a sleep).
 */
export const syncCustomer = defineJob({
  name: "sync-customer",
  schema: z.object({ customerId: z.string().min(1).max(100) }),
  concurrency: { limit: 2, key: (p) => p.customerId },
  timeoutMs: 10_000,
  maxAttempts: 3,
  async handler(payload, { signal }) {
    await sleep(demoDelayMs(), signal);
    return { synced: payload.customerId };
  },
});
