"""Which grades a learner launched from a platform earns, and when they are queued
(Assignment and Grade Services 2.0, issue #17 §3).

A resource link opens a module or a path (server/lti/flow.py's `landing`); a launch
whose platform offers the score service records where that learner's grade goes. A
module's grade is its best quiz score (100 for a module without a quiz, once done),
Completed once passed; a path's is 100 once every module of it is complete. Scores
are queued in the grade outbox (server/storage/lti_grades.py), which only ever raises
them; the sender task (server/lti/grade_sender.py) posts them, never the request.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from collections.abc import Set as AbstractSet

from course.certificates import earned
from course.models import Course, Module
from course.progress import ModuleProgress
from server import clock
from server.lti.launch import Launch
from server.storage import Storage
from server.storage.lti_grades import GradeTarget

log = logging.getLogger("alliances.lti")
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
Score = tuple[str, str, int, bool]  # (target kind, target id, score out of 100, completed)


def target_of(course: Course, custom: Mapping[str, str]) -> tuple[str, str, str] | None:
    """(kind, id, title) of what the link opens, as `flow.landing` reads its custom
    parameters: a module, else a path; None for the course's home (nothing to grade)."""
    module_id = custom.get("module", "").strip()
    module = course.modules.get(module_id) if module_id else None
    if module is not None and any(module_id in p.module_ids for p in course.paths):
        return "module", module.id, module.title
    path = course.path(custom.get("path", "").strip())
    if path is not None:
        return "path", path.id, path.title
    return None


def scores_now(
    course: Course, kind: str, target_id: str, progress: Mapping[str, ModuleProgress]
) -> list[Score]:
    """The grade the learner's progress already earns for a target (none: nothing yet)."""
    if kind == "module":
        state = progress.get(target_id)
        module = course.modules.get(target_id)
        if state is None or module is None:
            return []
        if state.completed:
            best = state.best_score if module.has_quiz and state.best_score is not None else 100
            return [("module", target_id, best, True)]
        if state.best_score is not None:
            return [("module", target_id, state.best_score, False)]
        return []
    path = course.path(target_id)
    done = {m for m, state in progress.items() if state.completed}
    return [("path", target_id, 100, True)] if path and earned(path, done) else []


def after_module(
    course: Course, module: Module, score: int, passed: bool, completed: AbstractSet[str]
) -> list[Score]:
    """What an attempt (or a quiz-less module marked done) queues: the module's score,
    and 100 for each path of the module it completes."""
    scores: list[Score] = [("module", module.id, score, passed)]
    if passed:
        scores += [
            ("path", path.id, 100, True)
            for path in course.paths
            if module.id in path.module_ids and earned(path, completed)
        ]
    return scores


async def record_launch(db: Storage, course: Course, launch: Launch, user_id: int) -> None:
    """Remember where this learner's grades go, if the platform takes them, and queue
    what their progress already earns (a pass made before this launch, or one whose
    queuing a crash cut off)."""
    if SCORE_SCOPE not in launch.ags_scopes or not (launch.ags_lineitem or launch.ags_lineitems):
        return
    target = target_of(course, launch.custom)
    if target is None or not launch.resource_link_id:
        return
    kind, target_id, label = target
    at = clock.now()
    await db.record_grade_target(
        GradeTarget(
            user_id=user_id,
            platform_id=launch.platform.id,
            resource_link_id=launch.resource_link_id,
            subject=launch.subject,
            lineitem_url=launch.ags_lineitem,
            lineitems_url=launch.ags_lineitems,
            target_kind=kind,
            target_id=target_id,
            label=label[:200],
        ),
        at,
    )
    earned_now = scores_now(course, kind, target_id, await db.progress(user_id))
    if earned_now:
        await db.record_scores(user_id, earned_now, at)
    log.info(
        "lti grades: user %s, link %r -> %s %s", user_id, launch.resource_link_id, kind, target_id
    )
