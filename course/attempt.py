"""What one attempt at a quiz shows: which questions, and their options in which order.

The order is drawn from a seed that stays the same for one learner's one attempt
(the server derives it from its secret, the learner and the attempt number), so a
reload shows the same quiz and the result page shows the order the learner saw.
The module page builds an attempt on every view, so this must cost microseconds:
every possible draw and every order of each question's options are listed once
per content version (Module.draws, Question.orders), and the seed, 256 bits from
an HMAC, picks one of each. Choice ids, grading and the answer format do not
depend on any of this.
"""

from __future__ import annotations

import random
from collections.abc import Collection
from dataclasses import dataclass

from course.models import Choice, Module, Question


@dataclass(frozen=True)
class ShownQuestion:
    question: Question
    choices: tuple[Choice, ...]  # in the order shown

    @property
    def id(self) -> str:
        return self.question.id


@dataclass(frozen=True)
class Arrangement:
    seed: int
    questions: tuple[ShownQuestion, ...]

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(q.id for q in self.questions)

    @property
    def plain(self) -> tuple[Question, ...]:
        return tuple(q.question for q in self.questions)


def arrange(
    module: Module, seed: int | None, answered: Collection[str] | None = None
) -> Arrangement:
    """The quiz as one attempt shows it.

    `seed` None (attempts recorded before shuffling existed) keeps the written
    order. `answered` rebuilds a past attempt from the questions it answered, so
    its result page still matches what was asked after editors changed the pool.
    """
    if seed is None:
        shown = [ShownQuestion(q, q.choices) for q in module.questions]
    else:
        # The seed read as digits in a mixed radix: one digit picks the draw among
        # all the module's possible draws, then one per question picks its order.
        rest, draws = divmod(seed, len(module.draws))
        shown = []
        for question in module.draws[draws]:
            orders = question.orders
            if len(orders) == 1 and question.spec.shuffled:  # too many options to list
                choices = list(question.choices)
                random.Random(rest).shuffle(choices)
                shown.append(ShownQuestion(question, tuple(choices)))
                continue
            rest, pick = divmod(rest, len(orders))
            shown.append(ShownQuestion(question, orders[pick]))
    if answered is not None:  # as recorded, even if the pool changed since
        seen = {sq.id: sq for sq in shown}
        shown = [
            seen.get(q.id) or ShownQuestion(q, q.choices)
            for q in module.questions
            if q.id in answered
        ]
    return Arrangement(seed or 0, tuple(shown))
