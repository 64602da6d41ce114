"""A platform course's cohort, at each launch from it (issue #17 §3, NRPS).

The first launch from a course (an LTI context) creates its cohort, named after the
course, on the path the link names; every launch then files its user there: an
instructor (server/lti/roles.py) as a trainer of that cohort and of no other, anyone
else as a learner. The platform is the authority on who teaches its course: someone it
now launches as a learner no longer trains the cohort.
"""

from __future__ import annotations

import logging
import secrets

from course.models import Course, Path
from server import clock, urls
from server.lti.launch import Launch
from server.lti.roles import is_instructor
from server.storage import Storage

log = logging.getLogger("alliances.lti")
MAX_NAME = 120  # as a cohort named on the trainers' page (server/views/trainer.py)


def cohort_name(launch: Launch) -> str:
    """« Cours Moodle : Coopérer », from the platform's name and the course's title."""
    platform = " ".join(launch.platform.name.split()) or "de la plateforme"
    title = " ".join((launch.context_title or launch.context_id).split())
    return f"Cours {platform}\u00a0: {title}"[:MAX_NAME]


def cohort_path(course: Course, custom: dict[str, str]) -> Path | None:
    """The path the link names; else the first path holding the module it names; else
    the course's first path (a cohort has one path; its trainers see that one)."""
    named = course.path(custom.get("path", "").strip())
    if named is not None:
        return named
    module_id = custom.get("module", "").strip()
    holding = next((p for p in course.paths if module_id and module_id in p.module_ids), None)
    return holding or next(iter(course.paths), None)


async def file_launch(db: Storage, course: Course, launch: Launch, user_id: int) -> str | None:
    """Put the launched user in their course's cohort; where an instructor lands (the
    cohort's page), None for a learner or a launch without a context."""
    if not launch.context_id:
        return None
    path = cohort_path(course, launch.custom)
    if path is None:  # a course without any path has nothing to follow in a cohort
        return None
    at = clock.now()
    fresh = (cohort_name(launch), path.id, secrets.token_urlsafe(12))
    cohort_id = await db.lti_context_cohort(
        launch.platform.id, launch.context_id, launch.context_title, launch.nrps_url, fresh, at
    )
    if is_instructor(launch.roles):
        if await db.add_cohort_trainers(cohort_id, [user_id]):
            log.info(
                "lti context %r: user %s trains cohort %s", launch.context_id, user_id, cohort_id
            )
        return urls.cohort(cohort_id)
    await db.drop_cohort_trainer(cohort_id, user_id)
    cohort = await db.cohort(cohort_id)
    if cohort is not None and not cohort.archived_at:
        await db.add_cohort_learners(cohort_id, cohort.path_id, [user_id], at)
    return None
