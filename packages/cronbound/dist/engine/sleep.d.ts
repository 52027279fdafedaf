/** Wait `ms`, or reject with the signal's reason as soon as it fires. */
export declare function sleep(ms: number, signal?: AbortSignal): Promise<void>;
