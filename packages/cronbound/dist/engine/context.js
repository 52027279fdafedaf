import { ident, raw, sql } from "../sql.js";
export function tables(schema) {
    const s = ident(schema);
    const q = (name) => sql `${s}.${raw(`"${name}"`)}`;
    return { schema, jobs: q("jobs"), schedules: q("schedules"), status: q("job_status"), migrations: q("migrations") };
}
export function withDb(e, db) {
    return db === e.db ? e : { ...e, db };
}
