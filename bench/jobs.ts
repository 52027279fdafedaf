import { createRegistry, defineJob } from "cronbound";
import { z } from "zod";

/** When the last `probe` handler started (performance.now()), for the kick and wake latencies; `onStart` runs then. */
export const probe: { startedAt: number; onStart?: () => void } = { startedAt: 0 };

export const noop = defineJob({
  name: "noop",
  schema: z.object({ n: z.number().int() }),
  timeoutMs: 30_000,
  handler: async () => null,
});

export const probeJob = defineJob({
  name: "probe",
  schema: z.object({}),
  timeoutMs: 5_000,
  handler: async () => {
    probe.startedAt = performance.now();
    probe.onStart?.();
    return null;
  },
});

export const benchRegistry = createRegistry([noop, probeJob]);

/** The floor's handler for `noop`: the same no-op, without the executor around it. */
export const floorNoop = async (_payload: unknown) => null;
