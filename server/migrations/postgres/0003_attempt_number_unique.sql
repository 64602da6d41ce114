-- One attempt per number, per learner and module (issue #15 §5). A quiz form
-- carries its attempt's number, and the submission's INSERT stores it only while
-- it is the learner's next one. Under READ COMMITTED two copies of the same
-- attempt submitted at once would both see it as next; this index lets the first
-- in and makes the second insert nothing (`ON CONFLICT DO NOTHING`), which is
-- what the advisory lock taken before each submission did, without its extra
-- statement. SQLite needs no such index: its single writer checks and inserts
-- in one step. Older attempts without a number (NULL) are not constrained.
CREATE UNIQUE INDEX attempts_one_per_number ON attempts (user_id, module_id, attempt_no);
