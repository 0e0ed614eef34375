-- Sign-up is limited per source address (starling.volunteers.sign-ups-per-address within sign-up-window): the
-- address an account was signed up from (through a trusted proxy, the one it forwards) is kept with it, and the
-- sign-up counts the recent accounts of that address. NULL: made by the admin, or before this limit.
ALTER TABLE volunteer ADD COLUMN sign_up_address text;
CREATE INDEX volunteer_sign_up_address ON volunteer (sign_up_address, created_at) WHERE sign_up_address IS NOT NULL;
