import type { z } from "zod";
import type { Executor } from "../db.ts";
import type { BackoffOptions } from "./backoff.ts";
import { flowDeclaration, type FlowDeclaration, type FlowOptions } from "./flow/options.ts";
import type { StepApi } from "./steps/api.ts";
import type { Job } from "./types.ts";

/**
 * What a handler gets besides its payload: the run's signal, row and database, progress, and
 * durable steps (`step`, `sleep`, `waitForEvent`, `invoke`: engine/steps/api.ts).
 */
export interface JobContext extends StepApi {
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

export interface JobTypeOptions<Name extends string, Schema extends z.ZodType, Result> extends FlowOptions<z.output<Schema>> {
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
  /** Concurrency limit, rate limit and debounce (docs/FLOW-CONTROL.md); {} without any. */
  readonly flow: FlowDeclaration;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyJobType = JobType<string, z.ZodType, any>;

export const JOB_NAME = /^[a-z0-9][a-z0-9._:-]{0,99}$/i;

/** Declare a job type once: its name, payload schema, handler and defaults. */
export function defineJob<const Name extends string, Schema extends z.ZodType, Result>(
  options: JobTypeOptions<Name, Schema, Result>,
): JobType<Name, Schema, Result> {
  if (!JOB_NAME.test(options.name)) {
    throw new Error(`defineJob: name "${options.name}" must be 1-100 letters, digits, '.', '_', ':' or '-'`);
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxAttempts = options.maxAttempts ?? 3;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new Error(`defineJob(${options.name}): timeoutMs must be a positive integer`);
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
    flow: flowDeclaration(options.name, options as FlowOptions),
  });
}

export type TypesByName<T extends readonly AnyJobType[]> = { [K in T[number] as K["name"]]: K };

/** Every job type the app knows. Enqueue and the executor look types up here, and only here. */
export class Registry<Types extends Record<string, AnyJobType> = Record<string, AnyJobType>> {
  private readonly byName = new Map<string, AnyJobType>();

  constructor(types: readonly AnyJobType[]) {
    for (const t of types) {
      if (this.byName.has(t.name)) throw new Error(`job type "${t.name}" is defined twice`);
      this.byName.set(t.name, t);
    }
  }

  get(name: string): AnyJobType | undefined {
    return this.byName.get(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  /** "unknown job type "x" (known: a, b)": the one wording of that error (a long name cut to 200 characters). */
  unknownType(type: unknown): string {
    const shown = typeof type === "string" ? type.slice(0, 200) : type;
    return `unknown job type ${JSON.stringify(shown)} (known: ${this.names().join(", ") || "none"})`;
  }

  /** Type-level only: the payload each name accepts. */
  declare readonly _types: Types;
}

export function createRegistry<const T extends readonly AnyJobType[]>(types: T): Registry<TypesByName<T>> {
  return new Registry(types);
}

/** The payload type `enqueue` accepts for a job type (its schema's input). */
export type PayloadOf<T extends AnyJobType> = z.input<T["schema"]>;
