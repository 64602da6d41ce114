"""The kinds of question, in one registry.

The parser, the checker, the grader, the templates, GIFT and the reports all
ask this registry what a kind is called, how it is answered and checked, so a
new kind is added here once instead of in five places.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "true_false"


@dataclass(frozen=True)
class KindSpec:
    kind: Kind
    label: str  # the heading that starts the block in content: « ### Choix unique {#id} »
    instruction: str  # what the learner is told beside the question number
    input_type: str  # the form control of each option
    several_right: bool  # may more than one option be right (and ticked)?
    choices: tuple[int, int | None]  # fewest and most options allowed
    shuffled: bool  # options shown in an order drawn per attempt (« Vrai / Faux » stays)
    gift: str  # how Moodle's GIFT writes it: true/false, = and ~, or ~%weight%

    def is_right(self, chosen: Collection[str], correct: Collection[str]) -> bool:
        """All or nothing: exactly the right options, whatever the kind."""
        return set(chosen) == set(correct)


KINDS: dict[Kind, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec(
            Kind.SINGLE,
            "Choix unique",
            "une seule réponse",
            "radio",
            several_right=False,
            choices=(2, None),
            shuffled=True,
            gift="single",
        ),
        KindSpec(
            Kind.MULTIPLE,
            "Choix multiple",
            "plusieurs réponses possibles",
            "checkbox",
            several_right=True,
            choices=(2, None),
            shuffled=True,
            gift="multiple",
        ),
        KindSpec(
            Kind.TRUE_FALSE,
            "Vrai ou faux",
            "vrai ou faux",
            "radio",
            several_right=False,
            choices=(2, 2),
            shuffled=False,
            gift="truefalse",
        ),
    )
}
BY_LABEL: dict[str, KindSpec] = {spec.label: spec for spec in KINDS.values()}


def spec(kind: Kind) -> KindSpec:
    return KINDS[kind]
