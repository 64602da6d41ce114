"""Course-wide quiz rules: what lets a learner pass without reading, as checker warnings.

The options are shuffled per learner, so a quiz must not be answerable by the
shape of its options (the longest one, « Faux », all but one) nor refer to an
option by its letter or position.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from typing import Protocol

from course.blocks import RawBlock
from course.errors import Problem
from course.models import Choice, Kind, Module, Question

LONGEST_MAX = 0.35  # share of single-choice questions whose key is strictly longest (or shortest)
TRUE_MIN, TRUE_MAX = 0.35, 0.65  # share of true/false questions whose answer is « Vrai »
ALL_BUT_ONE_MAX = 0.5  # share of multiple-answer questions whose right set is all but one

_TAG = re.compile(r"<[^>]*>")


def visible_text(fragment_html: str) -> str:
    """What a learner reads of a rendered fragment: no tags, entities decoded, one space."""
    return " ".join(html.unescape(_TAG.sub("", fragment_html)).split())


def choice_length(choice: Choice) -> int:
    return len(visible_text(choice.html))


def true_choice(question: Question) -> Choice:
    """The « Vrai » option of a true/false question (by its text, else its id, else first)."""
    for choice in question.choices:
        if visible_text(choice.html).casefold() == "vrai":
            return choice
    return next((c for c in question.choices if c.id == "vrai"), question.choices[0])


def strictly_longest(question: Question, longest: bool = True) -> bool:
    """Is the one right option strictly the longest (or, longest=False, the shortest)?"""
    right = [c for c in question.choices if c.correct]
    if len(right) != 1:
        return False
    key = choice_length(right[0])
    others = [choice_length(c) for c in question.choices if not c.correct]
    return all(key > n if longest else key < n for n in others)


def all_but_one(question: Question) -> bool:
    return sum(not c.correct for c in question.choices) == 1


def _share(part: int, whole: int, what: str) -> str:
    """« 72 sur 87 questions à choix unique, soit 83 % »."""
    return f"{part} sur {whole} {what}, soit {round(100 * part / whole)}\u00a0%"


def course_rules(modules: Iterable[Module], course_file: str) -> list[Problem]:
    """The share rules over every question of the course, and repeats inside a module."""
    modules = list(modules)
    questions = [(m, q) for m in modules for q in m.questions]
    found: list[Problem] = []
    singles = [(m, q) for m, q in questions if q.kind is Kind.SINGLE]
    # The mirror rule: keys cut shorter than every distractor give the answer away too.
    for longest, (word, advice) in {
        True: ("longue", "mettez le « parce que » dans l’explication"),
        False: ("courte", "donnez aux options fausses la même précision"),
    }.items():
        extreme = [(m, q) for m, q in singles if strictly_longest(q, longest)]
        if not singles or len(extreme) / len(singles) <= LONGEST_MAX:
            continue
        share = _share(len(extreme), len(singles), "questions à choix unique du cours")
        found += [
            Problem(
                m.source,
                q.line,
                f"la bonne réponse est strictement l’option la plus {word} ({share} ; "
                f"plafond {round(100 * LONGEST_MAX)}\u00a0%) : équilibrez la longueur des options, "
                f"{advice}",
                warning=True,
            )
            for m, q in extreme
        ]
    true_false = [q for _, q in questions if q.kind is Kind.TRUE_FALSE]
    true = sum(true_choice(q).correct for q in true_false)
    if true_false and not TRUE_MIN <= true / len(true_false) <= TRUE_MAX:
        found.append(
            Problem(
                course_file,
                1,
                f"« Vrai » est la bonne réponse de "
                f"{_share(true, len(true_false), 'questions Vrai ou faux du cours')} : "
                f"visez entre {round(100 * TRUE_MIN)}\u00a0% et {round(100 * TRUE_MAX)}\u00a0%",
                warning=True,
            )
        )
    multiples = [q for _, q in questions if q.kind is Kind.MULTIPLE]
    but_one = sum(all_but_one(q) for q in multiples)
    if multiples and but_one / len(multiples) > ALL_BUT_ONE_MAX:
        found.append(
            Problem(
                course_file,
                1,
                f"« toutes les options sauf une » est la bonne réponse de "
                f"{_share(but_one, len(multiples), 'questions à choix multiple du cours')} "
                f"(plafond {round(100 * ALL_BUT_ONE_MAX)}\u00a0%) : variez le nombre de bonnes "
                "réponses",
                warning=True,
            )
        )
    for module in modules:
        found += repeated_options(module)
    return found


def repeated_options(module: Module) -> list[Problem]:
    """An option met again in another question gives a clue: report each repeat."""
    seen: dict[str, Question] = {}
    found = []
    for question in module.questions:
        if question.kind is Kind.TRUE_FALSE:
            continue
        for text in dict.fromkeys(visible_text(c.html) for c in question.choices):
            first = seen.setdefault(text, question)
            if first is not question:
                found.append(
                    Problem(
                        module.source,
                        question.line,
                        f"option « {text} » déjà proposée à la question « {first.id} » "
                        f"(ligne {first.line}) : reformulez l’une des deux",
                        warning=True,
                    )
                )
    return found


# -- options cited by letter or position ------------------------------------------------

_LETTER = r"[a-h]"
_LIST = rf"{_LETTER}(?:\s*(?:,|et|ou)\s*{_LETTER})*"
_NOUN = r"(?:propositions?|réponses?|choix|options?|affirmations?|formulations?|items?)"
# « (a, c) », « (b et d) »: always a citation; « (a) » alone may be a list marker in prose.
_PAREN_LIST = re.compile(rf"(?<!\w)\({_LETTER}\s*(?:,|et|ou)\s*{_LIST}\)")
_PAREN_ONE = re.compile(rf"(?<!\w)\(({_LETTER})\)")
_MARKER_BEFORE = re.compile(r"(?:^|[:;,—–]|^\s*(?:[-*+>]|\d+[.)])?)\s*$")
_VERB_AFTER = re.compile(r"^\s+(?:est|sont|n[’']est|ne\b|reste|était|serait|décrit|relève)")
# « la réponse b », « les propositions a et c », « l’option d »; not « la réponse a été ».
_NOUN_LETTER = re.compile(rf"(?i:\b{_NOUN})\s+\(?([a-hA-H])(?![\w’'-])(?P<after>.{{0,20}})")
_AVOIR_AFTER = re.compile(
    r"^\s+(?:été|eu|pu|dû|fait|un|une|des|du|de|d[’']|le|la|les|l[’']|lieu|besoin|"
    r"beaucoup|plus|moins|toujours|souvent|parfois|jamais|rarement|aussi|déjà|bien|mal|"
    r"tout|intérêt|raison|tort|pour|\w+(?:é|ée|és|ées|i|ie|is|ise|it|ite|u|ue|us|ert|int)\b)",
    re.IGNORECASE,
)
# « la première proposition », « la dernière réponse »; not « la première réponse d’une mairie ».
_POSITION = re.compile(
    rf"(?i:\b(?:premi(?:er|ère)s?|deuxièmes?|secondes?|troisièmes?|quatrièmes?|"
    rf"cinquièmes?|derni(?:er|ère)s?|avant-derni(?:er|ère)s?)\s+{_NOUN})"
    rf"(?!\s+(?:de|d[’']|du|des)\b|\s+d[’'])"
)
_AROUND = re.compile(rf"(?i:\b{_NOUN}\s+(?:ci-dessus|ci-dessous|précédentes?))")
_SKIP = re.compile(r"`[^`]*`|\]\([^)]*\)|\{#[^}]*\}|https?://\S+|^\s*[-*]\s+\[[ xX]\]")


def position_references(line: str) -> list[str]:
    """The citations of an option by letter or position found in one line of a question."""
    clean = _SKIP.sub(lambda m: " " * len(m.group()), line)
    found = [m.group() for m in _PAREN_LIST.finditer(clean)]
    for match in _PAREN_ONE.finditer(clean):
        marker = _MARKER_BEFORE.search(clean[: match.start()])
        if not marker or _VERB_AFTER.match(clean[match.end() :]):
            found.append(match.group())
    for match in _NOUN_LETTER.finditer(clean):
        if match[1].lower() == "a" and _AVOIR_AFTER.match(match["after"]):
            continue
        found.append(match.group()[: match.start("after") - match.start()].strip())
    found += [m.group() for m in _POSITION.finditer(clean)]
    found += [m.group() for m in _AROUND.finditer(clean)]
    return found


class QuizDoc(Protocol):
    # Read-only, so the loader's mutable Doc (list parts) satisfies it.
    @property
    def rel(self) -> str: ...
    @property
    def parts(self) -> Sequence[object]: ...


def block_references(docs: Iterable[QuizDoc]) -> list[Problem]:
    """Every line of every question block that cites an option by letter or position."""
    found = []
    for doc in docs:
        for part in doc.parts:
            if not isinstance(part, RawBlock) or part.kind in ("", "Réflexion"):
                continue
            for number, line in part.lines:
                cited = position_references(line)
                if cited:
                    found.append(
                        Problem(
                            doc.rel,
                            number,
                            f"« {cited[0]} » désigne une option par sa lettre ou sa place, "
                            "or les options sont mélangées pour chaque apprenant : "
                            "nommez l’idée de l’option",
                            warning=True,
                        )
                    )
    return found


def audit(docs: Iterable[QuizDoc], modules: Iterable[Module], course_file: str) -> list[Problem]:
    """Every quiz warning of the course, for the loader to add to its problems."""
    return block_references(docs) + course_rules(modules, course_file)
