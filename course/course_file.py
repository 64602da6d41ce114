"""Read and check `course.yaml`: the course header and its three paths."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import Any

import yaml

from course.errors import Problem
from course.frontmatter import load_yaml
from course.models import Section
from course.sections import read_sections

DEFAULT_THRESHOLD = 70


@dataclass(frozen=True)
class PathSpec:
    id: str
    title: str
    target_minutes: int
    description: str
    audience: str
    outcomes: tuple[str, ...]
    module_ids: tuple[str, ...]
    line: int
    sections: tuple[Section, ...] = ()
    min_time_percent: int = 0


def read_course_file(
    file: FsPath,
    rel: Callable[[FsPath], str],
    module_ids: dict[str, str],
    problems: list[Problem],
) -> tuple[dict[str, Any] | None, list[PathSpec]]:
    """Return the header (None if unusable) and the valid paths; append every problem."""
    name = rel(file)

    def error(line: int, message: str) -> None:
        problems.append(Problem(name, line, message))

    try:
        text = file.read_text(encoding="utf-8")
        data = load_yaml(text)
    except FileNotFoundError:
        error(0, "fichier course.yaml introuvable")
        return None, []
    except (OSError, UnicodeDecodeError) as exc:
        error(1, f"fichier illisible ({exc.__class__.__name__})")
        return None, []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        error(mark.line + 1 if mark else 1, f"YAML invalide : {getattr(exc, 'problem', exc)}")
        return None, []
    if not isinstance(data, dict):
        error(1, "course.yaml doit être un dictionnaire (clé : valeur)")
        return None, []
    ok = True
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        error(1, "titre du cours manquant (« title: »)")
        ok = False
    threshold = data.get("pass_threshold", DEFAULT_THRESHOLD)
    if not isinstance(threshold, int) or isinstance(threshold, bool) or not 0 < threshold <= 100:
        error(1, f"seuil de réussite invalide « {threshold} » : entier de 1 à 100")
        ok = False
    header = {
        "title": str(title or "").strip(),
        "language": str(data.get("language") or "fr"),
        "description": str(data.get("description") or "").strip(),
        "pass_threshold": threshold,
    }
    raw_paths = data.get("paths")
    if not isinstance(raw_paths, list) or not raw_paths:
        error(1, "aucun parcours : ajoutez « paths: » avec les parcours 1h, 4h et 12h")
        return None, []
    paths: list[PathSpec] = []
    seen: set[str] = set()
    lines = text.splitlines()
    for raw in raw_paths:
        spec = _read_path(raw, module_ids, seen, error, lines)
        if spec:
            paths.append(spec)
    return (header if ok else None), paths


def _line_of(lines: list[str], start: int, word: str) -> int:
    """Line of a module entry in a path's list, for a precise message."""
    for number in range(start, len(lines) + 1):
        if word in lines[number - 1]:
            return number
    return start


def _read_path(
    raw: Any,
    module_ids: dict[str, str],
    seen: set[str],
    error: Callable[[int, str], None],
    lines: list[str],
) -> PathSpec | None:
    """A path with its known modules; every problem is reported, so none is lost."""
    if not isinstance(raw, dict):
        error(1, "chaque parcours doit être un dictionnaire (id, title, target_minutes, modules)")
        return None
    line = raw.get("__line__", 1)
    ident = raw.get("id")
    ident = str(ident) if ident is not None else ""
    ok = True
    if not ident:
        error(line, "parcours sans identifiant (« id: »)")
        ok = False
    elif ident in seen:
        error(line, f"parcours « {ident} » déclaré deux fois")
        ok = False
    seen.add(ident)
    if not isinstance(raw.get("title"), str) or not raw["title"].strip():
        error(line, f"parcours « {ident} » sans titre")
        ok = False
    target = raw.get("target_minutes")
    if not isinstance(target, int) or isinstance(target, bool) or target <= 0:
        error(line, f"parcours « {ident} » : « target_minutes » entier positif attendu")
        ok = False
    modules = raw.get("modules")
    if not isinstance(modules, list) or not modules:
        error(line, f"parcours « {ident} » sans modules")
        return None
    listed: list[str] = []
    for module in map(str, modules):
        where = _line_of(lines, line, module)
        if module not in module_ids:
            error(where, f"parcours « {ident} » : module inconnu « {module} »")
        elif module in listed:
            error(where, f"parcours « {ident} » : module « {module} » listé deux fois")
        else:
            listed.append(module)
    outcomes = raw.get("outcomes") or []
    if not isinstance(outcomes, list) or not all(
        isinstance(o, str) and o.strip() for o in outcomes
    ):
        error(line, f"parcours « {ident} » : « outcomes » doit être une liste de phrases")
        outcomes = []
    for outcome in outcomes:
        if not able_to(outcome):
            error(
                _line_of(lines, line, outcome.split()[0]),
                f"parcours « {ident} » : l’objectif « {outcome.strip()} » doit dire ce que"
                " l’apprenant sera capable de faire, en commençant par un verbe à l’infinitif"
                " (« Expliquer… », « Choisir… »)",
            )
    sections = read_sections(raw.get("sections"), listed, ident, line, error)
    min_time = raw.get("min_time_percent", 0)
    if not isinstance(min_time, int) or isinstance(min_time, bool) or not 0 <= min_time <= 100:
        error(
            _line_of(lines, line, "min_time_percent"),
            f"parcours « {ident} » : « min_time_percent » doit être un entier de 0 à 100"
            f" (part de la durée de chaque module à passer sur sa page avant que son quiz"
            f" compte), pas « {min_time} »",
        )
        ok = False
    if not ok or not isinstance(target, int):
        return None
    return PathSpec(
        id=ident,
        title=raw["title"].strip(),
        target_minutes=target,
        description=str(raw.get("description") or "").strip(),
        audience=str(raw.get("audience") or "").strip(),
        outcomes=tuple(" ".join(o.split()) for o in outcomes),
        module_ids=tuple(listed),
        line=line,
        sections=sections,
        min_time_percent=min_time if isinstance(min_time, int) else 0,
    )


INFINITIVE = re.compile(r"^(?:(?:s’|s'|se |ne |n’|n')\s*)?\w+(?:er|ir|re|oir)\b", re.IGNORECASE)


def able_to(outcome: str) -> bool:
    """An objective reads « être capable de … » + it: it starts with an infinitive.

    L6353-1 wants the attestation to state the objectives; written as what the learner
    can do, they complete « À l’issue de la formation, le stagiaire est capable de ».
    """
    return bool(INFINITIVE.match(outcome.strip()))
