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
from typing import Any

from course.models import Course, Kind, Module, Question
from course.quiz_audit import choice_length, true_choice
from course.typography import no_break

BLIND_SCORE_MAX = Fraction(40, 100)  # target: course-wide blind score under 40 %

LONGEST = "longest"
ALWAYS_TRUE = "always_true"
ALWAYS_FALSE = "always_false"
ALL_BUT_SHORTEST = "all_but_shortest"
BLIND = "blind"
LABELS = {
    LONGEST: "option la plus longue",
    ALWAYS_TRUE: "toujours Vrai",
    ALWAYS_FALSE: "toujours Faux",
    ALL_BUT_SHORTEST: "toutes sauf la plus courte",
    BLIND: "stratégie aveugle",
}
HEADERS = {
    LONGEST: "Plus longue",
    ALWAYS_TRUE: "Toujours Vrai",
    ALWAYS_FALSE: "Toujours Faux",
    ALL_BUT_SHORTEST: "Sauf + courte",
    BLIND: "Aveugle",
}
LEGEND = (
    "  Plus longue : choix unique, cocher l’option la plus longue",
    "  Toujours Vrai, Toujours Faux : vrai ou faux, donner toujours la même réponse",
    "  Sauf + courte : choix multiple, cocher toutes les options sauf la plus courte",
    "  Aveugle : chaque question selon son type, avec la constante Vrai ou Faux",
    "  la plus favorable au tricheur ; les autres colonnes ne répondent qu’aux questions",
    "  de leur type (les autres comptent faux), si bien qu’elles s’additionnent.",
    "  Questions « 5/7 » : chaque tentative tire 5 questions parmi 7 ; la réussite est",
    "  alors la probabilité sur les tirages. Égalités de longueur : tirage au hasard.",
)


def longest_odds(question: Question) -> Fraction:
    """Pick the longest option, one of the longest at random on a tie."""
    if question.kind is not Kind.SINGLE:
        return Fraction(0)
    lengths = [choice_length(c) for c in question.choices]
    tied = [c for c, n in zip(question.choices, lengths, strict=True) if n == max(lengths)]
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
        LONGEST: longest_odds(question),
        ALWAYS_TRUE: constant_odds(question, True),
        ALWAYS_FALSE: constant_odds(question, False),
        ALL_BUT_SHORTEST: all_but_shortest_odds(question),
    }


def blind_odds(question: Question, answer_true: bool) -> Fraction:
    """Each question answered by the strategy for its kind."""
    table = odds(question)
    if question.kind is Kind.TRUE_FALSE:
        return table[ALWAYS_TRUE if answer_true else ALWAYS_FALSE]
    return table[LONGEST] + table[ALL_BUT_SHORTEST]


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
    blind_answer_true: bool  # the true/false constant the combined strategy uses here

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
        answer: outcome([blind_odds(q, answer) for q in module.questions])
        for answer in (True, False)
    }
    answer = max(candidates, key=lambda a: (candidates[a].pass_rate, candidates[a].score))
    outcomes[BLIND] = candidates[answer]
    return ModuleReport(module, shown, outcomes, answer)


@dataclass(frozen=True)
class QuizReport:
    course: Course
    modules: dict[str, ModuleReport]
    blind_score: Fraction  # course-wide, one true/false constant for the whole course
    blind_answer_true: bool

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
    totals = {
        answer: sum((blind_odds(q, answer) for q in questions), Fraction(0))
        for answer in (True, False)
    }
    answer = max(totals, key=lambda a: totals[a])
    score = totals[answer] / len(questions) if questions else Fraction(0)
    return QuizReport(course, modules, score, answer)


# -- output ------------------------------------------------------------------------------


def percent(value: Fraction) -> str:
    """« 12 % », with « < 1 % » for a chance that is not zero but rounds to it."""
    if 0 < value < Fraction(1, 200):
        return "<\u00a01\u00a0%"
    return f"{round(100 * value)}\u00a0%"


def _cell(outcome: Outcome) -> str:
    return f"{percent(outcome.score):>5} {percent(outcome.pass_rate):>8}"


def format_report(report: QuizReport) -> str:
    """The report as aligned French text, one table per path."""
    keys = list(LABELS)
    width = max([len(m) for m in report.modules] + [len("Module")])
    cell = len(_cell(Outcome(Fraction(1), Fraction(1))))
    lines = [
        "Rapport des quiz : ce que marquerait une personne qui ne lit pas le cours",
        f"Seuil de réussite : {report.threshold}\u00a0%. Pour chaque stratégie, le score "
        "attendu et la probabilité de réussir le quiz.",
        *LEGEND,
    ]
    header = f"{'Module':<{width}}  {'Questions':>9}  " + "  ".join(
        f"{HEADERS[k]:^{cell}}" for k in keys
    )
    subheader = f"{'':<{width}}  {'':>9}  " + "  ".join(
        f"{'score':>5} {'réussite':>8}" for _ in keys
    )
    for path in report.course.paths:
        rows = [report.modules[m] for m in path.module_ids if m in report.modules]
        lines += ["", f"Parcours {path.id} « {path.title} »", header, subheader]
        lines.append("-" * len(header))
        for row in rows:
            total = len(row.module.questions)
            count = f"{row.shown}/{total}" if row.shown != total else str(total)
            cells = "  ".join(_cell(row.outcomes[k]) for k in keys)
            flag = "  réussi à l’aveugle" if row.worst[1].pass_rate > 0 else ""
            lines.append(f"{row.module.id:<{width}}  {count:>9}  {cells}{flag}")
        passed = sum(r.worst[1].pass_rate > 0 for r in rows)
        lines.append(f"Quiz réussis par une stratégie aveugle : {passed} sur {len(rows)}")
    lines.append("")
    worst = report.worst
    if worst:
        row, key, outcome = worst
        lines.append(
            f"Pire cas du cours : {row.module.id}, « {LABELS[key]} » : score "
            f"{percent(outcome.score)}, réussite {percent(outcome.pass_rate)}"
        )
    constant = "Vrai" if report.blind_answer_true else "Faux"
    lines.append(
        f"Score aveugle sur tout le cours : {percent(report.blind_score)} "
        f"(toujours {constant} aux questions Vrai ou faux)"
    )
    passed_blind = report.passed_blind
    names = ", ".join(r.module.id for r in passed_blind)
    lines += [
        "Objectif « aucun quiz réussi à l’aveugle » : "
        + (f"manqué ({len(passed_blind)} : {names})" if passed_blind else "atteint"),
        f"Objectif « score aveugle sous {percent(BLIND_SCORE_MAX)} » : "
        + ("atteint" if report.blind_score < BLIND_SCORE_MAX else "manqué"),
    ]
    return "\n".join(no_break(line).rstrip() for line in lines)


def _number(value: Fraction) -> float:
    return round(float(value), 4)


def report_json(report: QuizReport) -> dict[str, Any]:
    """The same figures as plain data, shares between 0 and 1."""
    worst = report.worst
    return {
        "threshold": report.threshold,
        "strategies": LABELS,
        "paths": [
            {
                "id": p.id,
                "title": p.title,
                "modules": [m for m in p.module_ids if m in report.modules],
            }
            for p in report.course.paths
        ],
        "modules": [
            {
                "id": r.module.id,
                "source": r.module.source,
                "questions": len(r.module.questions),
                "shown": r.shown,
                "blind_true_false": "vrai" if r.blind_answer_true else "faux",
                "strategies": {
                    k: {"score": _number(o.score), "pass_rate": _number(o.pass_rate)}
                    for k, o in r.outcomes.items()
                },
            }
            for r in report.modules.values()
        ],
        "worst": None
        if worst is None
        else {
            "module": worst[0].module.id,
            "strategy": worst[1],
            "score": _number(worst[2].score),
            "pass_rate": _number(worst[2].pass_rate),
        },
        "blind_score": _number(report.blind_score),
        "blind_true_false": "vrai" if report.blind_answer_true else "faux",
        "passed_blind": [r.module.id for r in report.passed_blind],
        "targets_met": report.targets_met,
    }
