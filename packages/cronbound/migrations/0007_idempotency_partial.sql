-- cronbound 0007: the idempotency key's unique index holds only the jobs that have a key.
-- The 0001 index had an entry for every job, NULL keys included, and since no update of a job
-- is HOT (`status` is indexed), every transition (insert, claim, completion) wrote one more
-- entry into it: three per job over its life, for the few jobs that carry a key. Partial, it
-- costs nothing for jobs without one; uniqueness of the keys is unchanged. Enqueue's
-- `ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL` infers this index.
-- Building it reads the table once under the migration's lock (a few seconds per million jobs).
CREATE UNIQUE INDEX "jobs_idempotency_key_idx" ON :CRONBOUND_SCHEMA."jobs"("idempotency_key")
    WHERE "idempotency_key" IS NOT NULL;
DROP INDEX :CRONBOUND_SCHEMA."jobs_idempotency_key_key";
