// Server actions called the way React calls them: POST to the page with a Next-Action header
// and the arguments encoded by React's own encodeReply, so a test reaches an action exactly as a
// browser (or anyone replaying one) does.
import { readFileSync } from "node:fs";
import path from "node:path";
import { DIST_DIR, type App } from "./app.ts";

const root = path.resolve(import.meta.dirname, "../..");
const { encodeReply } = (await import("next/dist/compiled/react-server-dom-webpack/client.node.js" as string)) as {
  encodeReply: (v: unknown) => Promise<string | FormData>;
};

let manifest: { node: Record<string, { filename: string; exportedName: string }> } | undefined;
/** The id of a server action in the build the test server runs (read once it started). */
export function actionId(file: string, name: string): string {
  manifest ??= JSON.parse(readFileSync(path.join(root, DIST_DIR, "server/server-reference-manifest.json"), "utf8"));
  const hit = Object.entries(manifest!.node).find(([, v]) => v.filename === file && v.exportedName === name);
  if (!hit) throw new Error(`no server action ${file}#${name} in the build`);
  return hit[0];
}

export async function callAction(app: App, page: string, file: string, name: string, args: unknown[], headers: Record<string, string> = {}) {
  const body = await encodeReply(args);
  const h: Record<string, string> = { "next-action": actionId(file, name), accept: "text/x-component", ...headers };
  if (typeof body === "string") h["content-type"] = "text/plain;charset=UTF-8";
  const res = await fetch(`${app.url}${page}`, { method: "POST", headers: h, body, redirect: "manual" });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

/** The value an action returned: the RSC payload's chunk 1, parsed. */
export function actionValue(text: string): unknown {
  const line = /^1:(.*)$/m.exec(text)?.[1];
  if (line === undefined) throw new Error(`no value in the action's answer: ${text.slice(0, 300)}`);
  return JSON.parse(line);
}

export const form = (fields: Record<string, string>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  return f;
};
