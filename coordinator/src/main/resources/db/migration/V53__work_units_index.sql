-- A deployed app's job may take its work units from an uploaded blob of JSON lines (params.workUnitsBlob). Every line
-- is checked when the first job names the blob, and the offsets of its work-unit lines are kept in a blob of their own
-- (12 bytes a line: the start as an 8-byte and the length as a 4-byte big-endian integer), so that the splitter reads
-- any work unit by its index, after a crash too, without reading the lines before it. The index is a function of the
-- blob's bytes: one per blob, whatever job names it.
CREATE TABLE work_units_index (
    blob_id    text        PRIMARY KEY REFERENCES blob (id),
    index_blob text        NOT NULL REFERENCES blob (id),
    lines      bigint      NOT NULL CHECK (lines >= 1),
    created_at timestamptz NOT NULL
);
