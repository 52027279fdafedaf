import { z } from "zod";
import { defineJob, sleep } from "cronbound";
import { demoDelayMs } from "./send-email.ts";

/** The article's second example: simulated processing (~2 s) in ten steps, reporting progress. */
export const processUpload = defineJob({
  name: "process-upload",
  schema: z.object({ fileId: z.string().min(1).max(200) }),
  timeoutMs: 60_000,
  async handler(payload, { signal, progress }) {
    const steps = 10;
    for (let i = 1; i <= steps; i++) {
      await sleep((2 * demoDelayMs()) / steps, signal);
      await progress(i / steps);
    }
    return { fileId: payload.fileId, processedAt: new Date().toISOString() };
  },
});
