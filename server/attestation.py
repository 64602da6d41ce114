"""The attestation de fin de formation: what Code du travail art. L6353-1 asks it to state.

At the end of a training action the provider gives the trainee an attestation of its
objectives, nature and duration, and of the results of the assessment of what was learnt.
This module gathers those facts from what the site recorded; server/attestation_pdf.py
prints them. The public verification page shows none of the scores (they are personal).
"""

from __future__ import annotations

from dataclasses import dataclass

from course.certificates import Certificate
from course.models import Course
from server.settings import Settings
from server.storage.interface import Storage

NATURE = "Action de formation à distance, en autonomie"


@dataclass(frozen=True)
class ModuleResult:
    """One module of the path: its best quiz score, or None when it has no quiz."""

    title: str
    best_score: int | None
    completed: bool


@dataclass(frozen=True)
class Accompaniment:
    """A cohort the learner follows the path in, and its trainers' names."""

    cohort: str
    trainers: tuple[str, ...]


@dataclass(frozen=True)
class Attestation:
    certificate: Certificate
    provider_name: str
    provider_address: str
    provider_nda: str
    objectives: tuple[str, ...]
    description: str
    cohorts: tuple[Accompaniment, ...]
    first_activity: str | None
    last_activity: str | None
    results: tuple[ModuleResult, ...]
    pass_threshold: int
    verify_url: str

    @property
    def passed(self) -> bool:
        """The overall result: every module done and every quiz at the pass mark or above."""
        return self.certificate.valid and all(
            r.completed and (r.best_score is None or r.best_score >= self.pass_threshold)
            for r in self.results
        )


async def gather(
    db: Storage, course: Course, settings: Settings, certificate: Certificate, verify_url: str
) -> Attestation:
    """The attestation's facts; the path as the course describes it today, the rest frozen."""
    path = course.path(certificate.path_id)
    module_ids = path.module_ids if path else ()
    progress = await db.progress(certificate.user_id)
    results = tuple(
        ModuleResult(
            title=course.modules[module_id].title,
            best_score=progress[module_id].best_score
            if course.modules[module_id].has_quiz and module_id in progress
            else None,
            completed=module_id in progress and progress[module_id].completed,
        )
        for module_id in module_ids
        if module_id in course.modules
    )
    first, last = (
        await db.path_activity(certificate.user_id, certificate.path_id, module_ids)
        if module_ids
        else (None, None)
    )
    cohorts = tuple(
        Accompaniment(cohort.name, tuple(trainers))
        for cohort, trainers, _ in await db.learner_cohorts(certificate.user_id)
        if cohort.path_id == certificate.path_id
    )
    return Attestation(
        certificate=certificate,
        provider_name=settings.organisation,
        provider_address=settings.provider_address,
        provider_nda=settings.provider_nda,
        objectives=path.outcomes if path else (),
        description=path.description if path else "",
        cohorts=cohorts,
        first_activity=first,
        last_activity=max(filter(None, (last, certificate.issued_at))),
        results=results,
        pass_threshold=course.pass_threshold,
        verify_url=verify_url,
    )
