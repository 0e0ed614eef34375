-- The worker protocol a host spoke when it last registered (beside worker_version, its release): the admin sees hosts
-- running old workers. NULL for hosts that last registered before it was kept.
ALTER TABLE host ADD COLUMN protocol_version integer;
