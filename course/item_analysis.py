"""Item analysis of the quizzes, as Moodle's quiz statistics give it, for editors.

Only learners' first attempt at a module counts: later ones come after the
results page and would flatter every question. A question is counted only in
the attempts that contained it (a module may draw a subset per attempt), and
judged against its current right answers.

One pass over the first attempts (the storage layer fetches them, in one
query): identical attempts are judged once and weighted by how many learners
made them, which is most of them (everybody right, the same usual mistake).
Pure Python: no SQL, no Starlette.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from course.models import Choice, Course, Module, Question

TOO_EASY_ABOVE = 0.95
TOO_EASY = "trop facile"
NO_DISCRIMINATION = "ne discrimine pas"
UNUSED_DISTRACTOR = "distracteur jamais choisi"
FLAGS = (TOO_EASY, NO_DISCRIMINATION, UNUSED_DISTRACTOR)


@dataclass
class Tally:
    """What one question gathers during the pass.

    `outcomes` counts (x, others right, others) per attempt: x is 1 when this
    question was answered right, the others are the rest of that attempt. A
    dozen distinct keys per question at most, so the correlation is computed
    exactly afterwards.
    """

    attempts: int = 0
    right: int = 0
    picks: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[tuple[int, int, int]] = field(default_factory=Counter)


@dataclass(frozen=True)
class OptionShare:
    choice: Choice
    picked: int
    share: float | None  # of the attempts that contained the question; None without any

    @property
    def unused_distractor(self) -> bool:
        return not self.choice.correct and self.share is not None and self.picked == 0


@dataclass(frozen=True)
class ItemStats:
    module: Module
    question: Question
    position: int  # in the order of the selected modules, then of their quizzes
    attempts: int
    right: int
    discrimination: float | None
    options: tuple[OptionShare, ...]

    @property
    def facility(self) -> float | None:
        return self.right / self.attempts if self.attempts else None

    @property
    def flags(self) -> tuple[str, ...]:
        """What an editor should look at, in words (never shown by colour alone)."""
        found = []
        if self.facility is not None and self.facility > TOO_EASY_ABOVE:
            found.append(TOO_EASY)
        if self.discrimination is not None and self.discrimination <= 0:
            found.append(NO_DISCRIMINATION)
        if any(o.unused_distractor for o in self.options):
            found.append(UNUSED_DISTRACTOR)
        return tuple(found)


def select_modules(course: Course, path_id: str = "", module_id: str = "") -> list[Module]:
    """The modules with a quiz that the filters keep, in path (or course) order.

    Raises LookupError with a French message for an unknown path or module.
    """
    if path_id:
        path = course.path(path_id)
        if path is None:
            raise LookupError("Ce parcours n’existe pas.")
        modules = course.path_modules(path)
    else:
        modules = list(course.modules.values())
    if module_id:
        if module_id not in course.modules:
            raise LookupError("Ce module n’existe pas.")
        modules = [m for m in modules if m.id == module_id]
    return [m for m in modules if m.has_quiz]


def tally(
    modules: Iterable[Module], attempts: Iterable[Sequence[str]]
) -> dict[str, dict[str, Tally]]:
    """One pass over first attempts, given as (module id, answers as stored JSON) pairs.

    Returns module id -> question id -> tally: a module's tallies depend on its
    own attempts only, so a caller may keep them per module.

    Attempts at other modules, and answers to questions no longer in the
    module, are left out; so is an answer that is not a list of choice ids.
    """
    keys = {m.id: {q.id: (q.correct_ids, Tally()) for q in m.questions} for m in modules}
    for (module_id, raw), weight in Counter(attempts).items():
        questions = keys.get(module_id)
        if questions is None:
            continue
        answers = json.loads(raw)
        if not isinstance(answers, dict):
            continue
        judged = []
        for question_id, chosen in answers.items():
            found = questions.get(question_id)
            if found is None or not isinstance(chosen, list):
                continue
            correct, counts = found
            judged.append((counts, chosen, int(frozenset(chosen) == correct)))
        right = sum(x for _, _, x in judged)
        others = len(judged) - 1
        for counts, chosen, x in judged:
            counts.attempts += weight
            counts.right += x * weight
            counts.outcomes[(x, right - x, others)] += weight
            for choice_id in chosen:
                counts.picks[choice_id] += weight
    return {m: {q: t for q, (_, t) in questions.items()} for m, questions in keys.items()}


def discrimination(outcomes: Counter[tuple[int, int, int]]) -> float | None:
    """Point-biserial (Pearson) correlation of the item with the rest of the attempt.

    The rest is the share of the attempt's other questions answered right.
    None (shown « — ») when undefined: fewer than two attempts with other
    questions, or nobody differing on the item or on the rest.
    """
    n = sx = sy = sxy = syy = Fraction(0)
    for (x, others_right, others), weight in outcomes.items():
        if others == 0:
            continue  # a lone question has no rest to compare with
        y = Fraction(others_right, others)
        n += weight
        sx += weight * x
        sy += weight * y
        sxy += weight * x * y
        syy += weight * y * y
    var_x = n * sx - sx * sx  # x is 0 or 1: its sum of squares is its sum
    var_y = n * syy - sy * sy
    if n < 2 or var_x == 0 or var_y == 0:
        return None
    r = float(n * sxy - sx * sy) / math.sqrt(var_x * var_y)
    return max(-1.0, min(1.0, r))  # exact sums, but the square root is a float


def item_statistics(
    modules: Iterable[Module], tallies: Mapping[str, Mapping[str, Tally]]
) -> list[ItemStats]:
    """Every question of the modules, in order, with its figures (none when unanswered)."""
    items: list[ItemStats] = []
    for module in modules:
        for question in module.questions:
            t = tallies.get(module.id, {}).get(question.id) or Tally()
            options = tuple(
                OptionShare(c, t.picks[c.id], t.picks[c.id] / t.attempts if t.attempts else None)
                for c in question.choices
            )
            items.append(
                ItemStats(
                    module,
                    question,
                    len(items),
                    t.attempts,
                    t.right,
                    discrimination(t.outcomes),
                    options,
                )
            )
    return items


def analyse(modules: list[Module], attempts: Iterable[Sequence[str]]) -> list[ItemStats]:
    """The page's rows: every question of the modules, from their first attempts."""
    return item_statistics(modules, tally(modules, attempts))


SORTS: dict[str, Callable[[ItemStats], float | None]] = {
    "ordre": lambda i: i.position,
    "tentatives": lambda i: i.attempts,
    "facilite": lambda i: i.facility,
    "discrimination": lambda i: i.discrimination,
}


def sort_items(items: list[ItemStats], sort: str, descending: bool) -> list[ItemStats]:
    """Sorted by one column; undefined figures last either way, ties in course order."""
    value = SORTS[sort]
    known = sorted((i for i in items if value(i) is not None), key=lambda i: i.position)
    known.sort(key=lambda i: value(i) or 0.0, reverse=descending)  # stable: ties keep order
    return known + [i for i in items if value(i) is None]


def flag_counts(items: Iterable[ItemStats]) -> dict[str, int]:
    """How many questions carry each flag, for the page's overview."""
    counts = dict.fromkeys(FLAGS, 0)
    for item in items:
        for flag in item.flags:
            counts[flag] += 1
    return counts
