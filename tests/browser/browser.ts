// Headless Chromium for the dashboard tests: Debian's `chromium` package driven by
// playwright-core (never a downloaded browser: scripts/test-deps.sh installs the package).
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

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


/** Sign `page` in to the dashboard at `baseUrl` with `secret`; resolves on the overview. */
export async function signIn(page: Page, baseUrl: string, secret: string): Promise<void> {
  await page.goto(`${baseUrl}/jobs/login`);
  await page.fill('input[name="secret"]', secret);
  await page.click('button[type="submit"]');
  await page.waitForURL(`${baseUrl}/jobs`);
}
