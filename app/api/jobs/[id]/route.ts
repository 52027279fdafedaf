import { json, problem } from "@/lib/http/respond";
import { machineRoute } from "@/lib/http/route";
import { jobJson } from "@/lib/http/serialize";
import { queue } from "@/lib/queue";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = machineRoute("get job", async (_request, { params }: { params: Promise<{ id: string }> }) => {
  const { id } = await params;
  const job = await queue.getJob(id);
  return job ? json(jobJson(job)) : problem(404, "not_found", `no job ${JSON.stringify(id)}`);
});
