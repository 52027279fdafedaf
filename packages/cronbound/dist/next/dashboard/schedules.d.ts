import type { Engine } from "../../engine/context.ts";
/**
 * Cron schedules with their next fire time. Rendered only inside a page that has already
 * checked access. The schedules table is small (one row per schedule), read whole.
 */
export declare function Schedules({ e, base, now }: {
    e: Engine;
    base: string;
    now: Date;
}): Promise<import("react/jsx-runtime").JSX.Element>;
