import type { Engine } from "../../engine/context.ts";
import { type ViewContext } from "./ui.tsx";
export type Search = Record<string, string | string[] | undefined>;
export declare const one: (v: string | string[] | undefined) => string | undefined;
/** The filters of the list as they appear in this page's URL. */
export declare function overviewHref(base: string, sp: Search): string;
/** The overview: counts, the last hour, failures, schedules, and every job (filtered, paged). */
export declare function Overview({ e, v, sp }: {
    e: Engine;
    v: ViewContext;
    sp: Search;
}): Promise<import("react/jsx-runtime").JSX.Element>;
