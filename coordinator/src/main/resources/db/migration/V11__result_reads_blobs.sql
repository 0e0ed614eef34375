-- Whether a replica's work unit reads blobs, copied onto the replica when it is created, so that dispatch
-- looks up blobs and holders only for the candidates that need them (a constant default: no table rewrite).
ALTER TABLE result ADD COLUMN reads_blobs boolean NOT NULL DEFAULT false;

UPDATE result r SET reads_blobs = true
  FROM work_unit w
 WHERE w.id = r.work_unit_id AND cardinality(w.blobs) > 0 AND r.state = 'UNSENT';
