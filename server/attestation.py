"""The attestation de fin de formation: what Code du travail art. L6353-1 asks it to state.

At the end of a training action the provider gives the trainee an attestation of its
objectives, nature and duration, and of the results of the assessment of what was learnt.
This module gathers those facts from what the site recorded; server/attestation_pdf.py
prints them. The public verification page shows none of the scores (they are personal).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from course.certificates import Certificate
from course.models import Course
from server.settings import Settings
from server.storage.interface import Storage
from server.storage.realisation import PathCohort

NATURE = "Action de formation à distance, en autonomie"


@dataclass(frozen=True)
class ModuleResult:
    """One module of the path: its best quiz score, or None when it has no quiz."""

    title: str
    best_score: int | None
    completed: bool


@dataclass(frozen=True)
class Accompaniment:
    """The cohort the learner followed the path in, its trainers' names, and — when the
    learner is in several cohorts on this path — which one the document names and why."""

    cohort: str
    trainers: tuple[str, ...]
    note: str = ""


def followed_in(cohorts: Sequence[PathCohort], ended_at: str | None) -> PathCohort | None:
    """The cohort the action was followed in, among the learner's cohorts on the path.

    L6353-1: the attestation describes the action the trainee followed, a fact the
    provider states, so it is found in the records and never chosen by the reader: the
    cohort the learner belonged to when the action ended, the latest joined if several
    (joining a later session leaves the earlier one behind). A cohort joined after the
    end (a follow-up group) is not where the action was followed: None when only such
    cohorts remain. Ties go to the newer cohort.
    """
    before = [c for c in cohorts if ended_at is None or c.joined_at <= ended_at]
    return max(before, key=lambda c: (c.joined_at, c.cohort_id)) if before else None


def accompaniment(cohorts: Sequence[PathCohort], ended_at: str | None) -> Accompaniment | None:
    """The chosen cohort as the documents print it; when the learner is in other cohorts
    on the path, the sentence that names them and says why this one was chosen."""
    chosen = followed_in(cohorts, ended_at)
    if chosen is None:
        return None
    others = [c.name for c in cohorts if c.cohort_id != chosen.cohort_id]
    if not others:
        return Accompaniment(chosen.name, chosen.trainers)
    listed = ", ".join(f"«\u00a0{name}\u00a0»" for name in others)
    groups = "le groupe" if len(others) == 1 else "les groupes"
    note = (
        f"Le stagiaire est aussi inscrit dans {groups} {listed} pour ce parcours\u00a0; est"
        " retenu le groupe dont il était membre à la fin de l’action, le plus récemment rejoint."
    )
    return Accompaniment(chosen.name, chosen.trainers, note)


@dataclass(frozen=True)
class Attestation:
    certificate: Certificate
    provider_name: str
    provider_address: str
    provider_nda: str
    objectives: tuple[str, ...]
    description: str
    cohorts: tuple[Accompaniment, ...]  # the one the path was followed in, if any
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
    # The path ended when its certificate was issued (its last module completed).
    chosen = accompaniment(
        await db.path_cohorts(certificate.user_id, certificate.path_id), certificate.issued_at
    )
    cohorts = (chosen,) if chosen else ()
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
