const iso = (d) => new Date(d).toISOString();
const isoOrNull = (d) => (d === null ? null : iso(d));
export function jobJson(job) {
    return {
        id: String(job.id),
        type: job.type,
        status: job.status,
        payload: job.payload,
        priority: job.priority,
        attempts: job.attempts,
        maxAttempts: job.maxAttempts,
        timeoutMs: job.timeoutMs,
        lastError: job.lastError,
        errors: job.errors,
        result: job.result,
        progress: job.progress,
        idempotencyKey: job.idempotencyKey,
        dependsOn: job.dependsOn.map(String),
        blocked: job.blocked,
        lockedBy: job.lockedBy,
        runAt: iso(job.runAt),
        lockedAt: isoOrNull(job.lockedAt),
        lockedUntil: isoOrNull(job.lockedUntil),
        createdAt: iso(job.createdAt),
        updatedAt: iso(job.updatedAt),
        startedAt: isoOrNull(job.startedAt),
        finishedAt: isoOrNull(job.finishedAt),
    };
}
