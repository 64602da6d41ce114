-- Which attempt of the learner's a recorded attempt was (issue #11): the quiz's
-- draw and option order derive from it, so the result page can show the order
-- the learner saw. NULL for attempts recorded before options were shuffled.

ALTER TABLE attempts ADD COLUMN attempt_no INTEGER;
