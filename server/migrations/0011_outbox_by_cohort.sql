-- The dashboard reads each pending invitation's last message, and the « Renvoyer »
-- button's daily limit looks for the last one: by cohort, kind and address, not
-- by scanning every message the site ever sent.
CREATE INDEX outbox_cohort ON outbox (cohort_id, kind, recipient COLLATE NOCASE);
