export function queryRows(db, q) {
    return db.query(q.text, q.values);
}
export function execute(db, q) {
    return db.execute(q.text, q.values);
}
/** An executor over anything with pg's `query` (a Pool, a PoolClient, a Client). */
export function pgQueryExecutor(target, o) {
    return {
        kind: o.kind,
        async query(text, values) {
            return (await target.query({ text, values: values })).rows;
        },
        async execute(text, values) {
            return (await target.query({ text, values: values })).rowCount ?? 0;
        },
        transaction: o.transaction,
        join: o.join,
    };
}
/** BEGIN/COMMIT on one client checked out of `pool`; ROLLBACK when `fn` throws. */
export async function pgTransaction(pool, wrap, fn) {
    const client = await pool.connect();
    let broken;
    try {
        await client.query({ text: "BEGIN" });
        const result = await fn(wrap(client));
        await client.query({ text: "COMMIT" });
        return result;
    }
    catch (err) {
        try {
            await client.query({ text: "ROLLBACK" });
        }
        catch (rollbackError) {
            broken = rollbackError; // the connection is unusable: destroy it, not return it
        }
        throw err;
    }
    finally {
        client.release(broken ?? false);
    }
}
/** True when `x` looks like a pg Pool/Client (has `query`). */
export function isPgQueryable(x) {
    return typeof x === "object" && x !== null && typeof x.query === "function";
}
