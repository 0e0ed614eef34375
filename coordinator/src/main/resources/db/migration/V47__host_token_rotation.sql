-- Host tokens rotated and revoked without a ban. A rotation the admin asks for is answered to the host with its next
-- RequestWork or Heartbeat (rotate_token); the host calls RotateToken, which keeps the new token's hash in
-- next_token_hash: both work until the new one is first used, which makes it the token (a worker that crashed before
-- it stored the new one goes on with the old). A revoked token is gone (token_hash NULL): the host must register again
-- with its volunteer's account key, and stays the same host.
ALTER TABLE host ALTER COLUMN token_hash DROP NOT NULL;
ALTER TABLE host
    ADD COLUMN next_token_hash          bytea,
    ADD COLUMN token_rotation_asked_at  timestamptz,
    ADD COLUMN token_rotated_at         timestamptz,
    ADD COLUMN token_revoked_at         timestamptz;
