import { z } from "zod";
export const DEFAULTS = {
    schema: "cronbound",
    concurrency: 10,
    batchSize: undefined,
    leaseGraceMs: 15_000,
    tickBudgetMs: undefined,
    retention: { completedAfterMs: 7 * 24 * 3_600_000, failedAfterMs: 30 * 24 * 3_600_000, batchSize: 1_000 },
    // 8 s: under Docker's and Dokku's 10 s kill timeout, so released jobs are handed back before SIGKILL.
    worker: { tickBudgetMs: 15 * 60_000, busyPauseMs: 100, idlePauseMs: 2_000, shutdownGraceMs: 8_000, workerId: undefined },
    cronSecret: undefined,
    dashboardSecret: undefined,
    production: true,
};
const int = (min, max) => z.number().int().min(min).max(max);
const configSchema = z.strictObject({
    schema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, "must be a lower-case PostgreSQL identifier (letters, digits, _)"),
    concurrency: int(1, 1000),
    batchSize: int(1, 1000).optional(),
    leaseGraceMs: int(0, 3_600_000),
    tickBudgetMs: int(100, 172_800_000).optional(),
    retention: z.strictObject({
        completedAfterMs: int(60_000, 315_360_000_000),
        failedAfterMs: int(60_000, 315_360_000_000),
        batchSize: int(0, 100_000),
    }),
    worker: z.strictObject({
        tickBudgetMs: int(1_000, 172_800_000),
        busyPauseMs: int(0, 60_000),
        idlePauseMs: int(10, 600_000),
        shutdownGraceMs: int(0, 3_600_000),
        workerId: z.string().min(1).max(200).optional(),
    }),
    cronSecret: z.string().min(16, "must be at least 16 characters").optional(),
    dashboardSecret: z.string().min(12, "must be at least 12 characters").optional(),
    production: z.boolean(),
});
export class ConfigError extends Error {
    problems;
    constructor(problems, source = "cronbound config") {
        super(`Invalid ${source}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.problems = problems;
        this.name = "ConfigError";
    }
}
/** Defaults filled in and every field checked; a ConfigError names each problem. */
export function resolveConfig(input = {}) {
    const merged = {
        ...DEFAULTS,
        ...stripUndefined(input),
        retention: { ...DEFAULTS.retention, ...stripUndefined(input.retention ?? {}) },
        worker: { ...DEFAULTS.worker, ...stripUndefined(input.worker ?? {}) },
    };
    const parsed = configSchema.safeParse(stripUndefined(merged));
    if (!parsed.success)
        throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
    return parsed.data;
}
function stripUndefined(o) {
    return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
/** Environment variable -> config field. `.env.example` documents each. */
export const ENV_VARS = {
    CRONBOUND_SCHEMA: "schema",
    TICK_CONCURRENCY: "concurrency",
    TICK_BATCH_SIZE: "batchSize",
    LEASE_GRACE_MS: "leaseGraceMs",
    TICK_BUDGET_MS: "tickBudgetMs",
    RETENTION_COMPLETED_MS: "retention.completedAfterMs",
    RETENTION_FAILED_MS: "retention.failedAfterMs",
    RETENTION_BATCH_SIZE: "retention.batchSize",
    WORKER_TICK_BUDGET_MS: "worker.tickBudgetMs",
    WORKER_BUSY_PAUSE_MS: "worker.busyPauseMs",
    WORKER_IDLE_PAUSE_MS: "worker.idlePauseMs",
    WORKER_SHUTDOWN_GRACE_MS: "worker.shutdownGraceMs",
    WORKER_ID: "worker.workerId",
    CRON_SECRET: "cronSecret",
    DASHBOARD_SECRET: "dashboardSecret",
};
const STRING_FIELDS = new Set(["schema", "worker.workerId", "cronSecret", "dashboardSecret"]);
/**
 * A config from environment variables (ENV_VARS; `production` from NODE_ENV). An empty
 * variable counts as unset, as most hosts' dashboards cannot store "nothing". A malformed
 * one: a ConfigError naming the variable, never its value.
 */
export function configFromEnv(env = process.env) {
    const input = { production: env.NODE_ENV === "production" };
    const problems = [];
    for (const [name, field] of Object.entries(ENV_VARS)) {
        const raw = env[name];
        if (raw === undefined || raw === "")
            continue;
        let value = raw;
        if (!STRING_FIELDS.has(field)) {
            if (!/^\d+$/.test(raw.trim())) {
                problems.push(`${name} must be a whole number`);
                continue;
            }
            value = Number(raw.trim());
        }
        const [a, b] = field.split(".");
        if (b)
            (input[a] ??= {})[b] = value;
        else
            input[a] = value;
    }
    if (problems.length)
        throw new ConfigError(problems, "environment");
    try {
        return resolveConfig(input);
    }
    catch (err) {
        if (!(err instanceof ConfigError))
            throw err;
        // Name the variable, not the config field.
        const byField = Object.fromEntries(Object.entries(ENV_VARS).map(([k, v]) => [v, k]));
        throw new ConfigError(err.problems.map((p) => {
            const [field, ...rest] = p.split(": ");
            return `${byField[field] ?? field} ${rest.join(": ")}`;
        }), "environment");
    }
}
