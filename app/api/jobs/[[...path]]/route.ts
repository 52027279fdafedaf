import { createRouteHandlers } from "cronbound/next";
import { queue } from "@/lib/cronbound";

// Every /api/jobs endpoint (tick, enqueue, one job, stats) in one catch-all route. The tick's
// budget is maxDuration minus a safety margin, or less when Vercel's getDeadline() says so.
// 300 s is the most Hobby allows; Pro allows up to 800.
export const maxDuration = 300;
export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const { GET, POST } = createRouteHandlers(queue, { maxDuration });
