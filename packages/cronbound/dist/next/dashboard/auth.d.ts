export declare const COOKIE = "cronbound_dashboard";
export declare const SESSION_SECONDS: number;
export type DashboardMode = "open" | "off" | "protected";
export type Access = {
    mode: "open";
    allowed: true;
} | {
    mode: "protected";
    allowed: true;
} | {
    mode: "protected";
    allowed: false;
} | {
    mode: "off";
    allowed: false;
};
/** What access depends on: the queue's config, and where the dashboard is mounted (the cookie's path). */
export interface AuthSettings {
    production: boolean;
    secret?: string;
    base: string;
}
export declare function dashboardMode(s: {
    production: boolean;
    secret?: string;
}): DashboardMode;
/** Equal-time comparison of two strings of any length (hashing first makes the lengths equal). */
export declare function safeEqual(a: string, b: string): boolean;
export declare function sessionToken(secret: string, nowMs?: number): string;
export declare function verifySessionToken(secret: string, token: string | undefined, nowMs?: number): boolean;
/** The current request's access. Pages render nothing but a message or the sign-in link unless `allowed`. */
export declare function dashboardAccess(s: AuthSettings): Promise<Access>;
/** Checks the submitted secret; on a match sets the session cookie (sent to the dashboard's path only). */
export declare function signIn(s: AuthSettings, submitted: string): Promise<boolean>;
export declare function signOut(s: AuthSettings): Promise<void>;
