export const JOB_NAME = /^[a-z0-9][a-z0-9._:-]{0,99}$/i;
/** Declare a job type once: its name, payload schema, handler and defaults. */
export function defineJob(options) {
    if (!JOB_NAME.test(options.name)) {
        throw new Error(`defineJob: name "${options.name}" must be 1-100 letters, digits, '.', '_', ':' or '-'`);
    }
    const timeoutMs = options.timeoutMs ?? 30_000;
    const maxAttempts = options.maxAttempts ?? 3;
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
        throw new Error(`defineJob(${options.name}): timeoutMs must be a positive integer`);
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 1000) {
        throw new Error(`defineJob(${options.name}): maxAttempts must be an integer from 1 to 1000`);
    }
    return Object.freeze({
        name: options.name,
        schema: options.schema,
        handler: options.handler,
        timeoutMs,
        maxAttempts,
        backoff: options.backoff ?? {},
        priority: options.priority ?? 0,
    });
}
/** Every job type the app knows. Enqueue and the executor look types up here, and only here. */
export class Registry {
    byName = new Map();
    constructor(types) {
        for (const t of types) {
            if (this.byName.has(t.name))
                throw new Error(`job type "${t.name}" is defined twice`);
            this.byName.set(t.name, t);
        }
    }
    get(name) {
        return this.byName.get(name);
    }
    names() {
        return [...this.byName.keys()];
    }
}
export function createRegistry(types) {
    return new Registry(types);
}
