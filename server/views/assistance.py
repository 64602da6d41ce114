"""Who assists a learner on a path: what Code du travail art. D6313-3-1 asks the path
page to say (issue #18 §2), with the activities' durations and the assessments."""

from __future__ import annotations

from starlette.requests import Request

from course.models import Path
from server.storage import User
from server.web import storage


async def assisting(request: Request, user: User, path: Path) -> list[tuple[str, list[str]]]:
    """Each of the learner's cohorts on this path that has trainers, with their names."""
    cohorts = await storage(request).learner_cohorts(user.id)
    return [(c.name, trainers) for c, trainers, _ in cohorts if c.path_id == path.id and trainers]


def support_link(contact: str) -> tuple[str, str] | None:
    """The site's assistance contact (a setting) as (href, text): e-mail or https URL."""
    if not contact:
        return None
    return (contact, contact) if contact.startswith("https://") else (f"mailto:{contact}", contact)
