-- The dispatch claim sets result.host_id and validation appends host_tally rows hundreds of times a second.
-- A foreign key to host makes each of those rows check and share-lock its host row (FOR KEY SHARE), which
-- turns into MultiXact churn when many transactions touch one host at once. The host ids written here
-- always come from an authenticated host, and host rows are never deleted, so the keys protect nothing.
ALTER TABLE result DROP CONSTRAINT result_host_id_fkey;
ALTER TABLE host_tally DROP CONSTRAINT host_tally_host_id_fkey;
