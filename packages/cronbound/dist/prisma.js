// cronbound/prisma: the engine over the app's PrismaClient (Prisma 7 with @prisma/adapter-pg).
import { isPgQueryable, pgQueryExecutor, pgTransaction } from "./db.js";
const isPrismaRaw = (x) => typeof x === "object" && x !== null && typeof x.$queryRawUnsafe === "function";
/** Statements on one Prisma client (the root client or a `$transaction` client). */
function onPrisma(client, kind, transaction, join, slowPath) {
    return {
        kind,
        slowPath,
        query: (text, values = []) => client.$queryRawUnsafe(text, ...values),
        execute: (text, values = []) => client.$executeRawUnsafe(text, ...values),
        transaction,
        join,
    };
}
/** `prismaExecutor(prisma, { pool })`: the engine on the app's own client and pool. */
export function prismaExecutor(prisma, options = {}) {
    if (!isPrismaRaw(prisma))
        throw new TypeError("prismaExecutor(prisma): expected a PrismaClient");
    const { pool } = options;
    if (pool !== undefined && (!isPgQueryable(pool) || typeof pool.connect !== "function")) {
        throw new TypeError("prismaExecutor(prisma, { pool }): pool must be the pg Pool given to new PrismaPg(pool)");
    }
    const join = (tx) => {
        if (isPrismaRaw(tx))
            return onPrisma(tx, "prisma", (fn) => fn(join(tx)), join);
        if (isPgQueryable(tx))
            return onPgClient(tx);
        throw new TypeError("tx: expected the client Prisma passes to $transaction(async (tx) => ...)");
    };
    const onPgClient = (client) => pgQueryExecutor(client, { kind: "prisma+pg", transaction: (fn) => fn(onPgClient(client)), join });
    if (pool) {
        return pgQueryExecutor(pool, { kind: "prisma+pg", transaction: (fn) => pgTransaction(pool, onPgClient, fn), join });
    }
    return onPrisma(prisma, "prisma", (fn) => prisma.$transaction((tx) => fn(join(tx)), { maxWait: 10_000, timeout: 60_000 }), join, "cronbound/prisma: no pg pool was given, so every engine statement goes through Prisma's $queryRawUnsafe " +
        "(about half the drain rate of short jobs). Pass the pool under the driver adapter: prismaExecutor(prisma, { pool }).");
}
