"""Read and check `content/satisfaction.yaml`: the learners' satisfaction questionnaires.

Quality audits (Qualiopi) ask providers to collect learners' satisfaction at the end
of a training (« à chaud ») and some weeks later (« à froid »). Editors write the
questions; every problem is reported as `file:line: message` like the rest of the content.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import Any

import yaml

from course.errors import Problem
from course.frontmatter import load_yaml
from course.typography import no_break

FILE = "satisfaction.yaml"
KINDS = {"rating": "note de 1 à 5", "text": "réponse libre"}
SCALE = (1, 2, 3, 4, 5)
QUESTION_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
MAX_QUESTIONS = 12
MAX_LABEL = 300
MAX_DELAY_DAYS = 365
PHASES = {"hot": "à chaud", "cold": "à froid"}

Report = Callable[[int, str], None]


@dataclass(frozen=True)
class SatisfactionQuestion:
    id: str
    kind: str  # "rating" (1 to 5) or "text"
    label: str


@dataclass(frozen=True)
class Questionnaire:
    phase: str  # "hot" or "cold"
    intro: str
    questions: tuple[SatisfactionQuestion, ...]
    delay_days: int = 0  # "cold" only: days after completion before the invitation

    @property
    def ratings(self) -> tuple[SatisfactionQuestion, ...]:
        return tuple(q for q in self.questions if q.kind == "rating")


@dataclass(frozen=True)
class Satisfaction:
    hot: Questionnaire
    cold: Questionnaire | None = None

    def phase(self, name: str) -> Questionnaire | None:
        return self.hot if name == "hot" else self.cold if name == "cold" else None


def read_satisfaction(file: FsPath, rel: str) -> tuple[Satisfaction | None, list[Problem]]:
    """Return the questionnaires (None when the file is absent or unusable) and the problems."""
    problems: list[Problem] = []

    def error(line: int, message: str) -> None:
        problems.append(Problem(rel, line, message))

    if not file.is_file():
        return None, []
    try:
        data = load_yaml(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        error(1, f"fichier illisible ({exc.__class__.__name__})")
        return None, problems
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        error(mark.line + 1 if mark else 1, f"YAML invalide : {getattr(exc, 'problem', exc)}")
        return None, problems
    if not isinstance(data, dict):
        error(1, "satisfaction.yaml doit être un dictionnaire avec « hot » et « cold »")
        return None, problems
    for key in data:
        if key not in PHASES and key != "__line__":
            error(data["__line__"], f"clé inconnue « {key} » : « hot » ou « cold » attendue")
    if "hot" not in data:
        error(data["__line__"], "questionnaire « hot » (à chaud) manquant")
    hot = _questionnaire("hot", data.get("hot"), data["__line__"], error)
    cold = _questionnaire("cold", data["cold"], data["__line__"], error) if "cold" in data else None
    if problems or hot is None:
        return None, problems
    return Satisfaction(hot, cold), problems


def _questionnaire(phase: str, data: Any, line: int, error: Report) -> Questionnaire | None:
    """One questionnaire; None (with its problems reported) when unusable."""
    if data is None:
        return None
    if not isinstance(data, dict):
        error(line, f"« {phase} » doit être un dictionnaire (intro, questions…)")
        return None
    line = data["__line__"]
    allowed = {"intro", "questions", "__line__"} | ({"delay_days"} if phase == "cold" else set())
    for key in data:
        if key not in allowed:
            error(line, f"« {phase} » : clé inconnue « {key} »")
    intro = data.get("intro", "")
    if not isinstance(intro, str):
        error(line, f"« {phase} » : « intro » doit être un texte")
        intro = ""
    delay = 0
    if phase == "cold":
        given = data.get("delay_days")
        if not isinstance(given, int) or isinstance(given, bool):
            error(line, "« cold » : « delay_days » (nombre de jours après la fin) manquant")
        elif not 1 <= given <= MAX_DELAY_DAYS:
            error(line, f"« cold » : « delay_days » doit être entre 1 et {MAX_DELAY_DAYS}")
        else:
            delay = given
    raw = data.get("questions")
    if not isinstance(raw, list) or not raw:
        error(line, f"« {phase} » : liste « questions » manquante ou vide")
        return None
    if len(raw) > MAX_QUESTIONS:
        error(line, f"« {phase} » : {len(raw)} questions, {MAX_QUESTIONS} au plus")
    questions: list[SatisfactionQuestion] = []
    seen: set[str] = set()
    for item in raw:
        question = _question(phase, item, line, error)
        if question is None:
            continue
        if question.id in seen:
            error(item["__line__"], f"question « {question.id} » en double")
            continue
        seen.add(question.id)
        questions.append(question)
    if questions and not any(q.kind == "rating" for q in questions):
        error(line, f"« {phase} » : au moins une question « rating » (note de 1 à 5) attendue")
    return Questionnaire(phase, no_break(" ".join(intro.split())), tuple(questions), delay)


def _question(phase: str, item: Any, line: int, error: Report) -> SatisfactionQuestion | None:
    """One question: id, kind and label, all three required."""
    if not isinstance(item, dict):
        error(line, f"« {phase} » : chaque question est un dictionnaire (id, kind, label)")
        return None
    at = item["__line__"]
    ok = True
    for key in item:
        if key not in ("id", "kind", "label", "__line__"):
            error(at, f"question : clé inconnue « {key} »")
            ok = False
    qid = item.get("id")
    if not isinstance(qid, str) or not QUESTION_ID.match(qid):
        error(at, "question : « id » manquant ou invalide (minuscules, chiffres, tirets)")
        ok = False
    kind = item.get("kind")
    if kind not in KINDS:
        error(at, f"question « {qid} » : « kind » doit être « rating » ou « text »")
        ok = False
    label = item.get("label")
    if not isinstance(label, str) or not label.strip():
        error(at, f"question « {qid} » : « label » (l’intitulé) manquant")
        ok = False
    elif len(label) > MAX_LABEL:
        error(at, f"question « {qid} » : intitulé de plus de {MAX_LABEL} caractères")
        ok = False
    if not ok:
        return None
    return SatisfactionQuestion(str(qid), str(kind), no_break(" ".join(str(label).split())))
