import { db } from "./db.ts";
import { registry } from "./job-types/index.ts";
import { createQueue } from "./jobs/queue.ts";

/** The app's queue: `queue.enqueue("send-email", { to, subject })` from any server code. */
export const queue = createQueue({ db, registry });
