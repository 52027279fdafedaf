import type { Queue } from "../queue.ts";
/** The `.env` files `next dev` would read, in its order; a variable already set always wins. */
export declare function loadEnvFiles(root: string, mode?: string): string[];
/** The module that exports the app's queue. */
export declare function findQueueModule(root: string, given?: string): string;
export declare function loadQueue(root: string, given?: string): Promise<Queue>;
