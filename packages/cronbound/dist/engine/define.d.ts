import type { z } from "zod";
import type { Executor } from "../db.ts";
import type { BackoffOptions } from "./backoff.ts";
import type { Job } from "./types.ts";
/** What a handler gets besides its payload. */
export interface JobContext {
    /** Fires at the job's timeout, the tick's deadline, a cancel, or a worker shutdown. */
    signal: AbortSignal;
    /** The claimed row: id, attempts (this attempt's number), maxAttempts, ... */
    job: Job;
    /**
     * The database the tick runs on (`db.query(text, values)`, `db.execute(...)`), for a
     * handler's own SQL. Handlers may as well use the app's own client.
     */
    db: Executor;
    /**
     * Store progress: a number 0..1 or a small JSON object. Throttled: calling it in a tight
     * loop writes at most about once a second. Resolves false when the lease was lost.
     */
    progress(value: number | Record<string, unknown>): Promise<boolean>;
}
export interface JobTypeOptions<Name extends string, Schema extends z.ZodType, Result> {
    name: Name;
    /** Validated at enqueue (nothing invalid reaches the table) and again before each attempt. */
    schema: Schema;
    /** Resolve (the value is stored as the job's result) or throw (retry, or fail when out of attempts). */
    handler: (payload: z.output<Schema>, ctx: JobContext) => Promise<Result> | Result;
    /** Per attempt. The handler's signal fires here and its late result is discarded. Default 30 s. */
    timeoutMs?: number;
    /** Attempts in all, the first included. Default 3. */
    maxAttempts?: number;
    backoff?: BackoffOptions;
    /** Default priority of this type's jobs; lower runs first. Default 0. */
    priority?: number;
}
export interface JobType<Name extends string = string, Schema extends z.ZodType = z.ZodType, Result = unknown> {
    readonly name: Name;
    readonly schema: Schema;
    readonly handler: (payload: z.output<Schema>, ctx: JobContext) => Promise<Result> | Result;
    readonly timeoutMs: number;
    readonly maxAttempts: number;
    readonly backoff: BackoffOptions;
    readonly priority: number;
}
export type AnyJobType = JobType<string, z.ZodType, any>;
export declare const JOB_NAME: RegExp;
/** Declare a job type once: its name, payload schema, handler and defaults. */
export declare function defineJob<const Name extends string, Schema extends z.ZodType, Result>(options: JobTypeOptions<Name, Schema, Result>): JobType<Name, Schema, Result>;
export type TypesByName<T extends readonly AnyJobType[]> = {
    [K in T[number] as K["name"]]: K;
};
/** Every job type the app knows. Enqueue and the executor look types up here, and only here. */
export declare class Registry<Types extends Record<string, AnyJobType> = Record<string, AnyJobType>> {
    private readonly byName;
    constructor(types: readonly AnyJobType[]);
    get(name: string): AnyJobType | undefined;
    names(): string[];
    /** Type-level only: the payload each name accepts. */
    readonly _types: Types;
}
export declare function createRegistry<const T extends readonly AnyJobType[]>(types: T): Registry<TypesByName<T>>;
/** The payload type `enqueue` accepts for a job type (its schema's input). */
export type PayloadOf<T extends AnyJobType> = z.input<T["schema"]>;
