-- Who may do what: the admin (dashboard and admin API), researchers (API keys an admin creates), volunteers
-- (account keys they get at sign-up, which attach their hosts to them). No secret is stored: the admin's password
-- as a slow hash (bcrypt), keys as SHA-256 of their random 256-bit secret.

CREATE TABLE admin_account (
    username        text PRIMARY KEY,
    -- Spring Security's "{id}hash" form, e.g. "{bcrypt}$2a$10$..."
    password_hash   text        NOT NULL,
    created_at      timestamptz NOT NULL,
    password_set_at timestamptz NOT NULL
);

CREATE TABLE researcher (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text        NOT NULL,
    created_at timestamptz NOT NULL
);

-- A researcher may hold several keys (a new one before the old is revoked); a key is "sr_<id>_<secret>".
CREATE TABLE researcher_key (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    researcher_id bigint      NOT NULL REFERENCES researcher (id),
    secret_hash   bytea       NOT NULL,
    created_at    timestamptz NOT NULL,
    revoked_at    timestamptz
);
CREATE INDEX researcher_key_researcher ON researcher_key (researcher_id);

-- Jobs belong to the researcher who submitted them; NULL: submitted by the admin (or before accounts existed),
-- visible to the admin only.
ALTER TABLE job ADD COLUMN researcher_id bigint REFERENCES researcher (id);
CREATE INDEX job_researcher_newest ON job (researcher_id, id DESC);

-- Which researchers uploaded a blob (the same bytes may come from several): a researcher reads and uses only
-- blobs they uploaded. The admin's uploads are not recorded; the admin sees every blob.
CREATE TABLE blob_upload (
    blob_id       text   NOT NULL REFERENCES blob (id),
    researcher_id bigint NOT NULL REFERENCES researcher (id),
    PRIMARY KEY (blob_id, researcher_id)
);

-- A volunteer owns hosts and earns their credit. The account key is "sv_<id>_<secret>"; rotating it replaces the
-- secret. Hosts registered with it belong to the volunteer for good.
CREATE TABLE volunteer (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name           text        NOT NULL,
    email          text        NOT NULL,
    key_hash       bytea       NOT NULL,
    created_at     timestamptz NOT NULL,
    key_rotated_at timestamptz
);
CREATE UNIQUE INDEX volunteer_email ON volunteer (lower(email));

-- NULL: an anonymous host (only when starling.volunteers.anonymous-hosts is on)
ALTER TABLE host ADD COLUMN volunteer_id bigint REFERENCES volunteer (id);
CREATE INDEX host_volunteer ON host (volunteer_id);
