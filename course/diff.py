"""What a new version of the content would do to learners, compared with the old one.

Progress, attempts and reflection answers are stored by id, so removing or
redefining an id silently orphans or regrades what learners already did. This
module lists those changes from two compiled courses only (no storage: the
`alliances check --against` command counts the learners concerned itself and
passes the numbers to `annotate`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from course.models import KIND_LABELS, Course, Module, Question


class ChangeKind(StrEnum):
    MODULE_REMOVED = "module_removed"
    MODULE_REMOVED_FROM_PATH = "module_removed_from_path"
    QUESTION_REMOVED = "question_removed"
    REFLECTION_REMOVED = "reflection_removed"
    CORRECT_ANSWERS_CHANGED = "correct_answers_changed"
    QUESTION_KIND_CHANGED = "question_kind_changed"
    CHOICES_REMOVED = "choices_removed"
    PATH_REMOVED = "path_removed"
    PATH_ADDED = "path_added"
    PATH_TARGET_CHANGED = "path_target_changed"


# Removals only hurt when learners recorded something on what disappears, so a
# count of zero turns them into information; a regrading stays worth a review.
REMOVALS = frozenset(
    {
        ChangeKind.MODULE_REMOVED,
        ChangeKind.MODULE_REMOVED_FROM_PATH,
        ChangeKind.QUESTION_REMOVED,
        ChangeKind.REFLECTION_REMOVED,
        ChangeKind.CHOICES_REMOVED,
        ChangeKind.PATH_REMOVED,
    }
)

# How to say "n learners" for each kind: (none, one, several with {n}).
LEARNERS = {
    ChangeKind.MODULE_REMOVED: (
        "aucun apprenant n'a de progression",
        "1 apprenant a une progression",
        "{n} apprenants ont une progression",
    ),
    ChangeKind.MODULE_REMOVED_FROM_PATH: (
        "aucun apprenant inscrit à ce parcours n'y a de progression",
        "1 apprenant inscrit à ce parcours y a une progression",
        "{n} apprenants inscrits à ce parcours y ont une progression",
    ),
    ChangeKind.QUESTION_REMOVED: (
        "aucun apprenant n'y a répondu",
        "1 apprenant y a répondu",
        "{n} apprenants y ont répondu",
    ),
    ChangeKind.REFLECTION_REMOVED: (
        "aucun apprenant n'y a répondu",
        "1 apprenant y a répondu",
        "{n} apprenants y ont répondu",
    ),
    ChangeKind.CORRECT_ANSWERS_CHANGED: (
        "aucun apprenant n'y a répondu",
        "1 apprenant y a répondu",
        "{n} apprenants y ont répondu",
    ),
    ChangeKind.QUESTION_KIND_CHANGED: (
        "aucun apprenant n'y a répondu",
        "1 apprenant y a répondu",
        "{n} apprenants y ont répondu",
    ),
    ChangeKind.CHOICES_REMOVED: (
        "aucun apprenant n'a coché un choix supprimé",
        "1 apprenant a coché un choix supprimé",
        "{n} apprenants ont coché un choix supprimé",
    ),
    ChangeKind.PATH_REMOVED: (
        "aucun apprenant n'y est inscrit",
        "1 apprenant y est inscrit",
        "{n} apprenants y sont inscrits",
    ),
}


@dataclass(frozen=True)
class Change:
    """One difference that matters to learners; `harmful` ones fail the check.

    `module_id`, `path_id` and `choice_ids` say which recorded data the change
    touches, so a caller holding the database can count the learners concerned.
    """

    kind: ChangeKind
    subject_id: str
    message_fr: str
    harmful: bool
    module_id: str = ""
    path_id: str = ""
    choice_ids: tuple[str, ...] = ()


def compare(old: Course, new: Course) -> list[Change]:
    """Every change from `old` to `new` that affects learners, in the old course's order."""
    changes = _paths(old, new)
    changes += _modules(old, new)
    changes += _questions(old, new)
    changes += _reflections(old, new)
    return changes


def annotate(change: Change, learners: int) -> Change:
    """Add the number of learners concerned; a removal touching nobody becomes information."""
    none, one, several = LEARNERS[change.kind]
    phrase = none if learners == 0 else one if learners == 1 else several.format(n=learners)
    harmful = learners > 0 if change.kind in REMOVALS else change.harmful
    return replace(change, message_fr=f"{change.message_fr} ({phrase})", harmful=harmful)


def _paths(old: Course, new: Course) -> list[Change]:
    changes = []
    for path in old.paths:
        now = new.path(path.id)
        if now is None:
            changes.append(
                Change(
                    ChangeKind.PATH_REMOVED,
                    path.id,
                    f"parcours supprimé « {path.id} » ({path.title})",
                    True,
                    path_id=path.id,
                )
            )
            continue
        if now.target_minutes != path.target_minutes:
            changes.append(
                Change(
                    ChangeKind.PATH_TARGET_CHANGED,
                    path.id,
                    f"durée cible du parcours « {path.id} » modifiée : "
                    f"{path.target_minutes} → {now.target_minutes} min",
                    False,
                    path_id=path.id,
                )
            )
        for module_id in path.module_ids:
            # A module gone from the whole course is reported once, as a removed module.
            if module_id not in now.module_ids and module_id in new.modules:
                changes.append(
                    Change(
                        ChangeKind.MODULE_REMOVED_FROM_PATH,
                        module_id,
                        f"module « {module_id} » retiré du parcours « {path.id} »",
                        True,
                        module_id=module_id,
                        path_id=path.id,
                    )
                )
    for path in new.paths:
        if old.path(path.id) is None:
            changes.append(
                Change(
                    ChangeKind.PATH_ADDED,
                    path.id,
                    f"parcours ajouté « {path.id} » ({path.title}, {path.target_minutes} min)",
                    False,
                    path_id=path.id,
                )
            )
    return changes


def _modules(old: Course, new: Course) -> list[Change]:
    changes = []
    for module in old.modules.values():
        if module.id in new.modules:
            continue
        paths = [p.id for p in old.paths if module.id in p.module_ids]
        where = f" des parcours {', '.join(paths)}" if len(paths) > 1 else ""
        where = f" du parcours {paths[0]}" if len(paths) == 1 else where
        changes.append(
            Change(
                ChangeKind.MODULE_REMOVED,
                module.id,
                f"module supprimé « {module.id} »{where}",
                True,
                module_id=module.id,
            )
        )
    return changes


def _questions(old: Course, new: Course) -> list[Change]:
    """Questions of a removed module are covered by the module's removal."""
    current = {q.id: q for m in new.modules.values() for q in m.questions}
    changes = []
    for module in old.modules.values():
        if module.id not in new.modules:
            continue
        for question in module.questions:
            now = current.get(question.id)
            if now is None:
                changes.append(
                    Change(
                        ChangeKind.QUESTION_REMOVED,
                        question.id,
                        f"question supprimée « {question.id} » du module « {module.id} »",
                        True,
                        module_id=module.id,
                    )
                )
            else:
                changes += _question(module, question, now)
    return changes


def _question(module: Module, old: Question, new: Question) -> list[Change]:
    changes = []
    where = f"question « {old.id} » du module « {module.id} »"
    if old.kind != new.kind:
        changes.append(
            Change(
                ChangeKind.QUESTION_KIND_CHANGED,
                old.id,
                f"type modifié pour la {where} : {KIND_LABELS[old.kind]} → {KIND_LABELS[new.kind]}",
                True,
                module_id=module.id,
            )
        )
    if old.correct_ids != new.correct_ids:
        changes.append(
            Change(
                ChangeKind.CORRECT_ANSWERS_CHANGED,
                old.id,
                f"bonnes réponses modifiées pour la {where} : "
                f"{_ids(old.correct_ids)} → {_ids(new.correct_ids)}",
                True,
                module_id=module.id,
            )
        )
    removed = tuple(c.id for c in old.choices if c.id not in new.choice_ids)
    if removed:
        label = "choix supprimés" if len(removed) > 1 else "choix supprimé"
        changes.append(
            Change(
                ChangeKind.CHOICES_REMOVED,
                old.id,
                f"{label} dans la {where} : {_ids(removed)}",
                True,
                module_id=module.id,
                choice_ids=removed,
            )
        )
    return changes


def _reflections(old: Course, new: Course) -> list[Change]:
    """Every reflection that disappears, even with its module: plans are kept by reflection."""
    current = {r.id for m in new.modules.values() for r in m.reflections}
    return [
        Change(
            ChangeKind.REFLECTION_REMOVED,
            reflection.id,
            f"réflexion supprimée « {reflection.id} » du module « {module.id} » : "
            "ses réponses disparaîtraient des plans d'alliance",
            True,
            module_id=module.id,
        )
        for module in old.modules.values()
        for reflection in module.reflections
        if reflection.id not in current
    ]


def _ids(ids: frozenset[str] | tuple[str, ...]) -> str:
    return ", ".join(f"« {i} »" for i in sorted(ids)) or "aucune"
