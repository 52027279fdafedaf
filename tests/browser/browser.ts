// Headless Chromium for the dashboard tests: Debian's `chromium` package driven by
// playwright-core (never a downloaded browser; see ../../../shared/STACK.md).
import { createHmac } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
export const ARTIFACTS = path.resolve(import.meta.dirname, "../artifacts");
export const DOCS = path.resolve(import.meta.dirname, "../../docs");

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync",
    ],
  });
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}

/** The dashboard's session cookie. */
export const SESSION_COOKIE = "cronbound_dashboard";

/**
 * A session token made here from its documented format (docs/DASHBOARD.md):
 * `v1.<expiry, unix seconds>.<HMAC-SHA256(secret, "v1.<expiry>"), base64url>`. Tests show it
 * to the app to check what the app accepts; the bench signs in with it.
 */
export function sessionToken(secret: string, expiresAtS: number): string {
  const payload = `v1.${expiresAtS}`;
  return `${payload}.${createHmac("sha256", secret).update(payload).digest("base64url")}`;
}
