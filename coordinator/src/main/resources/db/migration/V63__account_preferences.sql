-- A volunteer's account-wide computing preferences (issue 19, section 1), by venue as in BOINC: "default", and
-- optionally "home", "work" and "school", each a set of its own; a host is in one venue and takes that venue's set,
-- or the default set where its venue has none. Values are kept as the worker's config file writes them ("50%",
-- "19:00-07:00", "2G"), checked for bounds by the coordinator before they are stored (AccountPreferences); a key
-- absent is not set by the account. Every host of the account picks them up at its next contact.
CREATE TABLE account_preferences (
    volunteer_id bigint      NOT NULL REFERENCES volunteer (id),
    venue        text        NOT NULL CHECK (venue IN ('default', 'home', 'work', 'school')),
    prefs        jsonb       NOT NULL,
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (volunteer_id, venue)
);

ALTER TABLE host ADD COLUMN venue text NOT NULL DEFAULT 'default' CHECK (venue IN ('default', 'home', 'work', 'school'));
