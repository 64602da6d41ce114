"""A site after two years of use, as rows: trainers, cohorts, learners, attempts, certificates.

Pure Python, no SQL: bench/bench_scale.py hands the rows to the storage layer's
bulk loader (server/storage/bulk.py). Every learner's history comes from a seed
of its own, so the bench can draw it again for a sample of learners and check
what the database holds against the progress rules (course/progress.py).

The shape: one cohort of 2,000 learners on the 12 h path (the dashboard the
issue measures), the others in cohorts of 200 on the three paths, ten cohorts
per trainer; each learner has the same number of attempts (the total divided
evenly), spent on the path's modules in order: a few failures, a pass, then
reviews; about a third finish the path and hold its certificate. Attempts made
before a cut-off date were on an older version of each quiz, so some learners
passed only that one (the « mis à jour » badge).
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property

from course.models import Course, Module, Path
from course.progress import ModuleProgress
from server.security import hash_password, token_hash

TRAINER_EMAIL = "formateur@bench.fr"  # bench/bench_cohorts.py signs in with it
BIG = 2000
COHORT_SIZE = 200
COHORTS_PER_TRAINER = 10
START = datetime(2025, 1, 1, 8, tzinfo=UTC)
VERSION_CUT = datetime(2025, 9, 1, tzinfo=UTC)  # quizzes were edited then
OLD_VERSION = "version-2025"
FAR_FUTURE = "2999-01-01T00:00:00+00:00"

USERS = (
    "id",
    "email",
    "name",
    "password_hash",
    "created_at",
    "email_confirmed_at",
    "last_seen_at",
)
ROLE_CHANGES = ("actor_id", "user_id", "role", "action", "at")
COHORTS = ("id", "name", "path_id", "due_date", "join_code", "created_by", "created_at")
SESSIONS = ("token_hash", "user_id", "created_at", "expires_at", "user_agent", "last_seen_at")
MEMBERS = ("cohort_id", "user_id", "joined_at", "plan_shared")
ATTEMPTS = (
    "user_id",
    "path_id",
    "module_id",
    "score",
    "passed",
    "answers",
    "content_version",
    "created_at",
    "quiz_signature",
    "attempt_no",
)
CERTIFICATES = (
    "id",
    "user_id",
    "path_id",
    "learner_name",
    "path_title",
    "duration_minutes",
    "course_title",
    "content_version",
    "issued_at",
)


@dataclass(frozen=True)
class Attempt:
    module_id: str
    score: int
    passed: bool
    created_at: str
    signature: str
    version: str
    number: int  # the learner's attempt number at this module, from 0


def stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


@dataclass(frozen=True)
class Site:
    course: Course
    learners: int
    attempts: int
    seed: int = 17

    @property
    def cohorts(self) -> int:
        return 1 + math.ceil(max(0, self.learners - BIG) / COHORT_SIZE)

    @property
    def trainers(self) -> int:
        return math.ceil(self.cohorts / COHORTS_PER_TRAINER)

    def learner_id(self, index: int) -> int:
        return self.trainers + 1 + index

    def cohort_of(self, index: int) -> int:
        return 1 if index < BIG else 2 + (index - BIG) // COHORT_SIZE

    def cohort_path(self, cohort_id: int) -> Path:
        paths = sorted(self.course.paths, key=lambda p: p.target_minutes)
        path = paths[-1] if cohort_id == 1 else paths[cohort_id % len(paths)]
        return path

    def quota(self, index: int) -> int:
        share, rest = divmod(self.attempts, self.learners)
        return share + (1 if index < rest else 0)

    @cached_property
    def answers(self) -> dict[str, tuple[str, str]]:
        """Each module's answers as stored: (all right, all wrong), JSON."""
        return {m.id: _answers(m) for m in self.course.modules.values()}

    def setup(self) -> dict[str, list[tuple]]:
        """The trainers (the first one can sign in: bench_cohorts.PASSWORD) and the cohorts."""
        from bench.bench_cohorts import PASSWORD

        at = stamp(START)
        users = [
            (n, TRAINER_EMAIL if n == 1 else f"formateur-{n}@echelle.bench", f"Formateur {n}")
            for n in range(1, self.trainers + 1)
        ]
        hashed = hash_password(PASSWORD)
        return {
            "users": [
                (n, email, name, hashed if n == 1 else "aucun", at, at, at)
                for n, email, name in users
            ],
            "role_changes": [(None, n, "trainer", "grant", at) for n, _, _ in users],
            "cohorts": [
                (
                    c,
                    f"Groupe {c}",
                    self.cohort_path(c).id,
                    "2026-12-15",
                    f"echelle-{c}",
                    1 + (c - 1) // COHORTS_PER_TRAINER,
                    at,
                )
                for c in range(1, self.cohorts + 1)
            ],
        }

    def chunks(self, size: int = 5000) -> Iterator[dict[str, list[tuple]]]:
        """The learners' rows, `size` learners at a time, each table's rows apart."""
        for low in range(0, self.learners, size):
            tables: dict[str, list[tuple]] = {
                "users": [],
                "sessions": [],
                "cohort_members": [],
                "attempts": [],
                "certificates": [],
            }
            for index in range(low, min(low + size, self.learners)):
                self._learner_rows(index, tables)
            yield tables

    def _learner_rows(self, index: int, tables: dict[str, list[tuple]]) -> None:
        user_id, cohort_id = self.learner_id(index), self.cohort_of(index)
        path = self.cohort_path(cohort_id)
        joined, history = self.history(index)
        last = history[-1].created_at if history else stamp(joined)
        name, email = f"Apprenant {index:06d}", f"apprenant-{index}@echelle.bench"
        tables["users"].append((user_id, email, name, "aucun", stamp(joined), stamp(joined), last))
        # Half the sessions still open, as a site with many returning learners has.
        expires = FAR_FUTURE if index % 2 else stamp(joined + timedelta(days=30))
        session = token_hash(f"echelle-session-{index}")
        tables["sessions"].append((session, user_id, stamp(joined), expires, "Firefox", last))
        tables["cohort_members"].append((cohort_id, user_id, stamp(joined), int(index % 3 == 0)))
        for a in history:
            tables["attempts"].append(
                (
                    user_id,
                    path.id,
                    a.module_id,
                    a.score,
                    int(a.passed),
                    self.answers[a.module_id][0 if a.passed else 1],
                    a.version,
                    a.created_at,
                    a.signature,
                    a.number,
                )
            )
        done = {a.module_id: a for a in reversed(history) if a.passed}
        if history and all(m in done for m in path.module_ids):
            last_pass = max(done.values(), key=lambda a: a.created_at)
            certificate_id = hashlib.sha256(f"certificat-{index}".encode()).hexdigest()[:32]
            tables["certificates"].append(
                (
                    certificate_id,
                    user_id,
                    path.id,
                    name,
                    path.title,
                    path.target_minutes,
                    self.course.title,
                    last_pass.version,
                    last_pass.created_at,
                )
            )

    def history(self, index: int) -> tuple[datetime, list[Attempt]]:
        """When the learner joined, and their attempts in time order."""
        rng = random.Random(self.seed * 1_000_003 + index)
        modules = self.cohort_path(self.cohort_of(index)).module_ids
        joined = START + timedelta(seconds=rng.randrange(480 * 86400))
        quota = self.quota(index)
        finishes = rng.random() < 0.33
        reach = min(quota, len(modules) if finishes else rng.randint(1, len(modules)))
        counts = [1] * reach
        for _ in range(quota - reach):
            counts[rng.randrange(reach)] += 1
        moment, history = joined, []
        threshold = self.course.pass_threshold
        for position, (module_id, count) in enumerate(zip(modules, counts, strict=False)):
            done = position < reach - 1 or (finishes and reach == len(modules))
            first_pass = rng.randint(1, min(count, 3)) if done else count + 1
            for number in range(count):
                moment += timedelta(seconds=rng.randint(120, 2 * 86400))
                passed = number + 1 == first_pass or (
                    number + 1 > first_pass and rng.random() < 0.7
                )
                score = (
                    rng.randrange(threshold, 101, 5) if passed else rng.randrange(0, threshold, 5)
                )
                old = moment < VERSION_CUT
                module = self.course.modules[module_id]
                history.append(
                    Attempt(
                        module_id,
                        score,
                        passed,
                        stamp(moment),
                        _old_signature(module) if old else module.quiz_signature,
                        OLD_VERSION if old else self.course.version,
                        number,
                    )
                )
        return joined, history


def expected_progress(history: list[Attempt]) -> dict[str, ModuleProgress]:
    """The progress rules of course/progress.py, applied to one learner's attempts in turn."""
    progress: dict[str, ModuleProgress] = {}
    for a in history:
        p = progress.get(a.module_id, ModuleProgress(a.module_id))
        progress[a.module_id] = ModuleProgress(
            a.module_id,
            p.attempts + 1,
            a.score if p.best_score is None else max(p.best_score, a.score),
            p.completed_at or (a.created_at if a.passed else None),
            a.signature if a.passed else p.quiz_signature,
        )
    return progress


def _old_signature(module: Module) -> str:
    return hashlib.sha256(f"{module.quiz_signature}-2025".encode()).hexdigest()[:16]


def _answers(module: Module) -> tuple[str, str]:
    shown = module.questions[: module.draw] if module.draw else module.questions
    right = {q.id: sorted(q.correct_ids) for q in shown}
    wrong = {
        q.id: [next((c.id for c in q.choices if not c.correct), q.choices[0].id)] for q in shown
    }
    return json.dumps(right), json.dumps(wrong)
