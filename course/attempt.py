"""What one attempt at a quiz shows: which questions, and their options in which order.

The order is drawn from a seed that stays the same for one learner's one attempt
(the server derives it from its secret, the learner and the attempt number), so a
reload shows the same quiz and the result page shows the order the learner saw.
The draw uses one generator for the whole quiz; each question's option order has
its own, keyed by the question id, so editing one question never reshuffles the
others. Choice ids, grading and the answer format do not depend on any of this.
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


def draw(module: Module, seed: int) -> tuple[Question, ...]:
    """The attempt's questions, in the module's order: all, or `draw` of the pool."""
    pool = module.questions
    if module.draw is None or module.draw >= len(pool):
        return pool
    picked = set(random.Random(seed).sample(range(len(pool)), module.draw))
    return tuple(q for i, q in enumerate(pool) if i in picked)


def shuffled(question: Question, seed: int) -> tuple[Choice, ...]:
    if not question.spec.shuffled:
        return question.choices
    choices = list(question.choices)
    random.Random(f"{seed}:{question.id}").shuffle(choices)
    return tuple(choices)


def arrange(
    module: Module, seed: int | None, answered: Collection[str] | None = None
) -> Arrangement:
    """The quiz as one attempt shows it.

    `seed` None (attempts recorded before shuffling existed) keeps the written
    order. `answered` rebuilds a past attempt from the questions it answered, so
    its result page still matches what was asked after editors changed the pool.
    """
    if answered is not None:
        questions = tuple(q for q in module.questions if q.id in answered)
    elif seed is None:
        questions = module.questions
    else:
        questions = draw(module, seed)
    return Arrangement(
        seed or 0,
        tuple(
            ShownQuestion(q, q.choices if seed is None else shuffled(q, seed)) for q in questions
        ),
    )
