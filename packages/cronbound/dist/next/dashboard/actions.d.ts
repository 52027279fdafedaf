import type { Queue } from "../../queue.ts";
import { type AuthSettings } from "./auth.ts";
export interface DashboardOptions {
    /** Where the dashboard is mounted. Default "/jobs". */
    basePath?: string;
    /**
     * The `maxDuration` (seconds) of the dashboard's page: "Run one tick now" runs inside it.
     * Default 90.
     */
    maxDuration?: number;
}
export declare function settingsOf(queue: Queue, options?: DashboardOptions): AuthSettings;
export declare function runDashboardAction(queue: Queue, form: FormData, options?: DashboardOptions): Promise<void>;
