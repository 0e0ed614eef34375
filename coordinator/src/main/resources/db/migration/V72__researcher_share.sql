-- The admin's share of dispatch for each researcher (a weight, 1 by default): among the researchers with work waiting,
-- dispatch serves each in proportion to its share (docs/architecture.md, "Fair share"). Set with the quotas.
ALTER TABLE researcher ADD COLUMN share integer NOT NULL DEFAULT 1 CHECK (share BETWEEN 1 AND 1000000);
