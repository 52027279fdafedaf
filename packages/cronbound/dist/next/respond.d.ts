import type { Issue } from "../engine/errors.ts";
export declare function json(data: unknown, status?: number, headers?: Record<string, string>): Response;
export type ErrorCode = "unauthorized" | "not_configured" | "malformed_json" | "invalid_request" | "too_large" | "unknown_type" | "invalid_payload" | "invalid_options" | "not_found" | "method_not_allowed" | "database_unavailable" | "internal";
export declare function problem(status: number, code: ErrorCode, message: string, extra?: {
    issues?: Issue[];
    headers?: Record<string, string>;
}): Response;
