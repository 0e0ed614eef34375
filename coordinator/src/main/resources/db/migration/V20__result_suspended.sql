-- A task in progress whose worker paused it (the volunteer's machine is in use, outside their compute hours):
-- the host is alive and heartbeats, the task is not lost. Set by heartbeats; only meaningful while IN_PROGRESS.
ALTER TABLE result ADD COLUMN suspended boolean NOT NULL DEFAULT false;
