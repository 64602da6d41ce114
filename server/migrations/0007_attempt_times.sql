-- Quiz submissions are limited per learner and module over time (issue #12):
-- the attempt's INSERT counts the learner's recent attempts at the module, so
-- index them by time. attempts_user_module stays: the item analysis reads each
-- learner's first attempt from it (its rowid order), which this index would not give.

CREATE INDEX attempts_user_module_time ON attempts(user_id, module_id, created_at);
