-- Why a host's last RequestWork got no task (issue 19, "always told why"), for its volunteer's web page: the reason's
-- code (NoWork.Reason in worker.proto), its words, and since when. Written only when the reason changes, on an empty
-- answer; cleared when the host is given tasks again. Nothing on the claim path reads it.
ALTER TABLE host ADD COLUMN no_work text,
                 ADD COLUMN no_work_message text,
                 ADD COLUMN no_work_at timestamptz;
