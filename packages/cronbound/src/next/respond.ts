import type { Issue } from "../engine/errors.ts";

// Every machine endpoint answers JSON, errors included: { error, code, issues? }.

const NO_STORE = { "cache-control": "no-store" };

export function json(data: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return Response.json(data, { status, headers: { ...NO_STORE, ...headers } });
}

export type ErrorCode =
  | "unauthorized"
  | "not_configured"
  | "malformed_json"
  | "invalid_request"
  | "too_large"
  | "unknown_type"
  | "invalid_payload"
  | "invalid_options"
  | "invalid_event"
  | "not_found"
  | "method_not_allowed"
  | "database_unavailable"
  | "internal";

export function problem(
  status: number,
  code: ErrorCode,
  message: string,
  extra: { issues?: Issue[]; headers?: Record<string, string> } = {},
): Response {
  const body = extra.issues?.length ? { error: message, code, issues: extra.issues } : { error: message, code };
  return json(body, status, extra.headers);
}
