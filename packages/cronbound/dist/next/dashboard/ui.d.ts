import type { ReactNode } from "react";
import type { JobStatus } from "../../engine/types.ts";
import type { DashboardMode } from "./auth.ts";
/** A server action taking the form: the app's one-line wrapper around runDashboardAction. */
export type DashboardAction = (form: FormData) => Promise<void>;
/** What every dashboard view needs: where it is mounted, the action its forms post to, the access mode. */
export interface ViewContext {
    base: string;
    action: DashboardAction;
    mode: DashboardMode;
}
/** A form posting to the dashboard's action; `intent` says which action it is. */
export declare function ActionForm({ v, intent, children, className, fields }: {
    v: ViewContext;
    intent: string;
    children: ReactNode;
    className?: string;
    fields?: Record<string, string>;
}): import("react/jsx-runtime").JSX.Element;
export declare function DashboardOff(): import("react/jsx-runtime").JSX.Element;
export declare function ModeBar({ v, back }: {
    v: ViewContext;
    back: string;
}): import("react/jsx-runtime").JSX.Element;
/** The result of the last action, carried in the URL by the action's redirect. */
export declare function Flash({ done, error, report }: {
    done?: string;
    error?: string;
    report?: string;
}): import("react/jsx-runtime").JSX.Element | null;
export declare function StatusBadge({ status }: {
    status: JobStatus;
}): import("react/jsx-runtime").JSX.Element;
export declare function Card({ label, value, testId, href, tone }: {
    label: string;
    value: ReactNode;
    testId: string;
    href?: string;
    tone?: string;
}): import("react/jsx-runtime").JSX.Element;
export declare function fmtTime(d: Date | string | null | undefined): string;
/** "42 s", "7 min", "3 h 5 min", "2 d 4 h". */
export declare function fmtDuration(seconds: number): string;
export declare function fmtAgo(d: Date | string | null | undefined, now: Date): string;
export declare function Json({ value, testId }: {
    value: unknown;
    testId?: string;
}): import("react/jsx-runtime").JSX.Element;
