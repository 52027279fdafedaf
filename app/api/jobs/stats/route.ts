import { json } from "@/lib/http/respond";
import { machineRoute } from "@/lib/http/route";
import { queue } from "@/lib/queue";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Counts per status and per type, scheduled and blocked counts, age of the oldest due pending job. */
export const GET = machineRoute("stats", async () => json(await queue.getStats()));
