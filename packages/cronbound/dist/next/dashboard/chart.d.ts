import type { MinuteCount } from "../../engine/stats.ts";
/**
 * Completed and failed jobs per minute over the last hour, as stacked bars. Server-rendered
 * SVG: no chart library, no client JavaScript; each bar's <title> is its tooltip.
 */
export declare function ThroughputChart({ series }: {
    series: MinuteCount[];
}): import("react/jsx-runtime").JSX.Element;
