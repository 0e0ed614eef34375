-- The admin's ban of a volunteer: every call of each of their hosts is refused (PERMISSION_DENIED with the reason),
-- and so is a registration with their account key, until the admin lifts it.
ALTER TABLE volunteer
    ADD COLUMN banned_at  timestamptz,
    ADD COLUMN ban_reason text;
