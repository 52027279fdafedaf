var __rewriteRelativeImportExtension = (this && this.__rewriteRelativeImportExtension) || function (path, preserveJsx) {
    if (typeof path === "string" && /^\.\.?\//.test(path)) {
        return path.replace(/\.(tsx)$|((?:\.d)?)((?:\.[^./]+?)?)\.([cm]?)ts$/i, function (m, tsx, d, ext, cm) {
            return tsx ? preserveJsx ? ".jsx" : ".js" : d && (!ext || !cm) ? m : (d + ext + "." + cm.toLowerCase() + "js");
        });
    }
    return path;
};
// Where the `cronbound` command finds the app's settings and queue.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
const CANDIDATES = ["lib/cronbound.ts", "src/lib/cronbound.ts", "cronbound.config.ts", "lib/cronbound.js", "lib/cronbound.mjs", "cronbound.config.js", "cronbound.config.mjs"];
/** The `.env` files `next dev` would read, in its order; a variable already set always wins. */
export function loadEnvFiles(root, mode = process.env.NODE_ENV || "development") {
    const names = [`.env.${mode}.local`, mode === "test" ? "" : ".env.local", `.env.${mode}`, ".env"].filter(Boolean);
    const loaded = [];
    for (const name of names) {
        const file = path.join(root, name);
        if (!existsSync(file))
            continue;
        process.loadEnvFile(file);
        loaded.push(name);
    }
    return loaded;
}
/** The module that exports the app's queue. */
export function findQueueModule(root, given) {
    if (given) {
        const file = path.resolve(root, given);
        if (!existsSync(file))
            throw new Error(`--queue ${given}: no such file (${file})`);
        return file;
    }
    const found = CANDIDATES.map((c) => path.join(root, c)).find((f) => existsSync(f));
    if (!found) {
        throw new Error(`no queue module: pass --queue <module> (or set CRONBOUND_QUEUE) naming the file that exports your queue; looked for ${CANDIDATES.join(", ")}`);
    }
    return found;
}
export async function loadQueue(root, given) {
    const file = findQueueModule(root, given);
    if (/\.(c|m)?tsx?$/.test(file)) {
        let api;
        try {
            api = createRequire(path.join(root, "package.json")).resolve("tsx/esm/api");
        }
        catch {
            throw new Error(`${path.relative(root, file)} is TypeScript: install tsx in the app (npm install -D tsx), or point --queue at compiled JavaScript`);
        }
        const { register } = (await import(__rewriteRelativeImportExtension(pathToFileURL(api).href)));
        register();
    }
    const mod = (await import(__rewriteRelativeImportExtension(pathToFileURL(file).href)));
    const queue = (mod.queue ?? mod.default);
    if (!queue || typeof queue.runTick !== "function" || typeof queue.engine !== "function") {
        throw new Error(`${path.relative(root, file)} must export the queue made by createQueue(...) as \`queue\` or as its default export`);
    }
    return queue;
}
