"""What a learner who never reads the lessons would score: blind strategies, computed exactly.

Each strategy answers the questions of one kind by their shape alone; the others
it leaves wrong, so the columns of a module add up to the combined strategy.
Ties are broken at random (an expected value), and when a module draws N
questions per attempt the pass rate is the exact probability over the draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import comb

from course.models import Course, Kind, Module, Question
from course.quiz_audit import choice_length, true_choice

BLIND_SCORE_MAX = Fraction(40, 100)  # target: course-wide blind score under 40 %

LONGEST = "longest"
SHORTEST = "shortest"
ALWAYS_TRUE = "always_true"
ALWAYS_FALSE = "always_false"
ALL_BUT_SHORTEST = "all_but_shortest"
BLIND = "blind"
LABELS = {
    LONGEST: "option la plus longue",
    SHORTEST: "option la plus courte",
    ALWAYS_TRUE: "toujours Vrai",
    ALWAYS_FALSE: "toujours Faux",
    ALL_BUT_SHORTEST: "toutes sauf la plus courte",
    BLIND: "stratégie aveugle",
}


def extreme_odds(question: Question, longest: bool) -> Fraction:
    """Pick the longest (or shortest) option, one of them at random on a tie.

    The shortest matters too: a course whose keys were shortened below their
    distractors gives the answer away as surely as one whose keys are longest.
    """
    if question.kind is not Kind.SINGLE:
        return Fraction(0)
    lengths = [choice_length(c) for c in question.choices]
    target = max(lengths) if longest else min(lengths)
    tied = [c for c, n in zip(question.choices, lengths, strict=True) if n == target]
    return Fraction(1, len(tied)) if any(c.correct for c in tied) else Fraction(0)


def constant_odds(question: Question, answer_true: bool) -> Fraction:
    if question.kind is not Kind.TRUE_FALSE:
        return Fraction(0)
    return Fraction(int(true_choice(question).correct == answer_true))


def all_but_shortest_odds(question: Question) -> Fraction:
    """Tick every option but the shortest (one of the shortest at random on a tie)."""
    if question.kind is not Kind.MULTIPLE:
        return Fraction(0)
    lengths = [choice_length(c) for c in question.choices]
    tied = [c for c, n in zip(question.choices, lengths, strict=True) if n == min(lengths)]
    wrong = [c for c in question.choices if not c.correct]
    if len(wrong) == 1 and wrong[0] in tied:
        return Fraction(1, len(tied))
    return Fraction(0)


def odds(question: Question) -> dict[str, Fraction]:
    """The chance each single-kind strategy answers this question right."""
    return {
        LONGEST: extreme_odds(question, longest=True),
        SHORTEST: extreme_odds(question, longest=False),
        ALWAYS_TRUE: constant_odds(question, True),
        ALWAYS_FALSE: constant_odds(question, False),
        ALL_BUT_SHORTEST: all_but_shortest_odds(question),
    }


@dataclass(frozen=True)
class Blind:
    """One combined strategy: which single-choice pick, which true/false constant."""

    longest: bool
    answer_true: bool

    @property
    def label(self) -> str:
        single = LABELS[LONGEST if self.longest else SHORTEST]
        return f"{single}, toujours {'Vrai' if self.answer_true else 'Faux'}"


BLINDS = tuple(Blind(longest, answer) for longest in (True, False) for answer in (True, False))


def blind_odds(question: Question, blind: Blind) -> Fraction:
    """Each question answered by the strategy for its kind."""
    table = odds(question)
    if question.kind is Kind.TRUE_FALSE:
        return table[ALWAYS_TRUE if blind.answer_true else ALWAYS_FALSE]
    return table[LONGEST if blind.longest else SHORTEST] + table[ALL_BUT_SHORTEST]


def passes(right: int, shown: int, threshold: int) -> bool:
    """The grader's own rule (course.grading.grade): the rounded score reaches the threshold."""
    return round(100 * right / shown) >= threshold


def pass_probability(chances: Sequence[Fraction], shown: int, threshold: int) -> Fraction:
    """Exact chance of passing when `shown` questions are drawn uniformly from the pool.

    A DP over (questions drawn, questions right) sums the probability of every draw.
    """
    if not chances or shown <= 0:
        return Fraction(0)
    ways: list[list[Fraction]] = [[Fraction(0)] * (shown + 1) for _ in range(shown + 1)]
    ways[0][0] = Fraction(1)
    for p in chances:
        for drawn in range(shown, 0, -1):
            row, below = ways[drawn], ways[drawn - 1]
            for right in range(drawn, -1, -1):
                row[right] += below[right] * (1 - p) + (below[right - 1] * p if right else 0)
    total = sum(
        (ways[shown][r] for r in range(shown + 1) if passes(r, shown, threshold)), Fraction(0)
    )
    return total / comb(len(chances), shown)


@dataclass(frozen=True)
class Outcome:
    score: Fraction  # expected share of the questions shown that are answered right
    pass_rate: Fraction  # chance that the attempt passes


@dataclass(frozen=True)
class ModuleReport:
    module: Module
    shown: int
    outcomes: dict[str, Outcome]
    blind: Blind  # the combination that does best here, the worst case for the course

    @property
    def worst(self) -> tuple[str, Outcome]:
        return max(self.outcomes.items(), key=lambda item: (item[1].pass_rate, item[1].score))


def module_report(module: Module, threshold: int) -> ModuleReport:
    shown = module.draw or len(module.questions)
    shown = min(shown, len(module.questions))
    table = [odds(q) for q in module.questions]

    def outcome(chances: list[Fraction]) -> Outcome:
        score = sum(chances, Fraction(0)) / len(chances)
        return Outcome(score, pass_probability(chances, shown, threshold))

    outcomes = {key: outcome([row[key] for row in table]) for key in LABELS if key != BLIND}
    candidates = {
        blind: outcome([blind_odds(q, blind) for q in module.questions]) for blind in BLINDS
    }
    blind = max(candidates, key=lambda b: (candidates[b].pass_rate, candidates[b].score))
    outcomes[BLIND] = candidates[blind]
    return ModuleReport(module, shown, outcomes, blind)


@dataclass(frozen=True)
class QuizReport:
    course: Course
    modules: dict[str, ModuleReport]
    blind_score: Fraction  # course-wide, one combination for the whole course
    blind: Blind

    @property
    def threshold(self) -> int:
        return self.course.pass_threshold

    @property
    def worst(self) -> tuple[ModuleReport, str, Outcome] | None:
        if not self.modules:
            return None
        report = max(self.modules.values(), key=lambda r: (r.worst[1].pass_rate, r.worst[1].score))
        return (report, *report.worst)

    @property
    def passed_blind(self) -> list[ModuleReport]:
        return [r for r in self.modules.values() if r.worst[1].pass_rate > 0]

    @property
    def targets_met(self) -> bool:
        return not self.passed_blind and self.blind_score < BLIND_SCORE_MAX


def quiz_report(course: Course) -> QuizReport:
    modules = {
        m.id: module_report(m, course.pass_threshold)
        for m in course.modules.values()
        if m.questions
    }
    questions = [q for m in course.modules.values() for q in m.questions]
    totals = {b: sum((blind_odds(q, b) for q in questions), Fraction(0)) for b in BLINDS}
    blind = max(totals, key=lambda b: totals[b])
    score = totals[blind] / len(questions) if questions else Fraction(0)
    return QuizReport(course, modules, score, blind)
