"""Editors' item analysis at scale: 10,000 learners × every quiz of the bundled course.

Seeds a SQLite database (as the migrations create it) with each learner's first
attempt at every module that has a quiz, answered the way learners answer:
each learner has an ability, each question a difficulty and a discrimination
(a few discriminate badly or not at all), a wrong answer goes to a plausible
distractor more often than to the others (some distractors nobody picks), and
a third of the learners try a module again (later attempts must not count).
Then it times, in the same run:
  1. the computation (`SqliteStorage.first_attempts` + `course.item_analysis`), all questions;
  2. the same for one path (the 1 h path) and one module;
  3. the whole page `/editor/questions` and its CSV, through the app in-process,
     counted afresh (cache emptied) and re-sorted from the cache, beside a
     learner's module page;
  4. baselines on the same database: `SELECT count(*) FROM attempts`, and a read
     of every attempt's answers (`sum(length(answers))`), the floor for any
     computation that has to look at each answer once.
Medians over --runs; the machine is shared, so compare the ratios.

Usage: python bench/bench_items.py [--learners 10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import random
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from starlette.testclient import TestClient

from course import item_analysis
from course.loader import load_course
from course.models import Course, Kind, Question
from server.app import create_app
from server.security import hash_password
from server.settings import Settings
from server.state import app_state
from server.storage import SqliteStorage

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-123"
STAMP = "2026-11-01T10:00:00+00:00"
RETRY_SHARE = 0.3


class Profile:
    """How one question behaves: a 2-parameter logistic item, and its distractors' pull."""

    def __init__(self, question: Question, rng: random.Random) -> None:
        self.question = question
        self.difficulty = rng.gauss(-1.0, 1.0)  # most questions are easy, as the issue found
        self.slope = rng.choice([0.0, -0.3]) if rng.random() < 0.08 else rng.uniform(0.4, 2.0)
        wrong = [c.id for c in question.choices if not c.correct]
        weights = [rng.random() ** 2 for _ in wrong]
        if len(wrong) > 1 and rng.random() < 0.3:
            weights[rng.randrange(len(wrong))] = 0.0  # a distractor nobody believes
        self.wrong, self.weights = wrong, weights
        self.correct = sorted(question.correct_ids)

    def answer(self, ability: float, rng: random.Random) -> list[str]:
        chance = 1 / (1 + math.exp(-self.slope * (ability - self.difficulty)))
        if rng.random() < chance:
            return self.correct
        if self.question.kind is Kind.MULTIPLE:
            chosen = set(self.correct)
            if len(chosen) > 1 and rng.random() < 0.5:
                chosen.discard(rng.choice(self.correct))  # forgot one
            else:
                chosen.add(rng.choices(self.wrong, self.weights)[0])  # ticked a wrong one
            return sorted(chosen)
        return [rng.choices(self.wrong, self.weights)[0]]


def seed(db_path: Path, course: Course, learners: int) -> dict[str, int]:
    """Fill the database through the real migrations; return the table sizes."""
    asyncio.run(_migrate(db_path))
    rng = random.Random(11)
    modules = [m for m in course.modules.values() if m.has_quiz]
    profiles = {m.id: [Profile(q, rng) for q in m.questions] for m in modules}
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA synchronous = OFF")
    # Seeding writes attempts only: the progress trigger is set aside meanwhile.
    trigger = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'attempts_update_progress'"
    ).fetchone()[0]
    conn.execute("DROP TRIGGER attempts_update_progress")
    conn.execute(
        "INSERT INTO users (id, email, name, password_hash, created_at) VALUES (1, ?, ?, ?, ?)",
        ("editeur@bench.fr", "Éditrice", hash_password(PASSWORD), STAMP),
    )
    conn.execute(
        "INSERT INTO role_changes (actor_id, user_id, role, action, at)"
        " VALUES (NULL, 1, 'editor', 'grant', ?)",
        (STAMP,),
    )
    for start in range(0, learners, 1000):
        users, attempts = [], []
        for n in range(start, min(learners, start + 1000)):
            user_id = n + 2
            users.append((user_id, f"l{n}@bench.fr", f"Apprenant {n:05d}", "x", STAMP))
            ability = rng.gauss(0.0, 1.0)
            for module in modules:
                tries = 2 if rng.random() < RETRY_SHARE else 1
                for attempt in range(tries):
                    answers = {
                        p.question.id: p.answer(ability + attempt, rng) for p in profiles[module.id]
                    }
                    right = sum(answers[q.id] == sorted(q.correct_ids) for q in module.questions)
                    score = round(100 * right / len(module.questions))
                    attempts.append(
                        (user_id, "12h", module.id, score, int(score >= 70), json.dumps(answers))
                    )
        conn.executemany(
            "INSERT INTO users (id, email, name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
            users,
        )
        conn.executemany(
            "INSERT INTO attempts (user_id, path_id, module_id, score, passed, answers,"
            f" content_version, created_at) VALUES (?, ?, ?, ?, ?, ?, 'v', '{STAMP}')",
            attempts,
        )
    conn.execute(trigger)
    conn.commit()
    conn.execute("ANALYZE")
    sizes = {
        t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("users", "attempts")
    }
    sizes["first attempts"] = conn.execute(
        "SELECT count(*) FROM (SELECT 1 FROM attempts GROUP BY user_id, module_id)"
    ).fetchone()[0]
    conn.close()
    return sizes


async def _migrate(db_path: Path) -> None:
    storage = SqliteStorage(db_path)
    await storage.open()
    await storage.close()


def median_ms(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    course = load_course(ROOT / "content")
    workdir = Path(tempfile.mkdtemp(prefix="alliances-items-"))
    db = workdir / "bench.db"
    try:
        started = time.perf_counter()
        sizes = seed(db, course, args.learners)
        print(f"seeded in {time.perf_counter() - started:.1f} s: {sizes}")
        asyncio.run(_measure(db, course, args.runs))
        _measure_pages(workdir, db, args.runs)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


async def _measure(db: Path, course: Course, runs: int) -> None:
    storage = SqliteStorage(db)
    await storage.open()
    loop = asyncio.get_running_loop()

    def timed(make: Callable[[], Awaitable[object]]) -> Callable[[], object]:
        return lambda: asyncio.run_coroutine_threadsafe(make(), loop).result()

    async def analyse(path_id: str = "", module_id: str = "") -> list:
        modules = item_analysis.select_modules(course, path_id, module_id)
        rows = await storage.first_attempts(m.id for m in modules)
        return item_analysis.analyse(modules, rows)

    try:
        # The timings run the coroutines from a worker thread, on this loop.
        def measure() -> None:
            items = timed(lambda: analyse())()
            answered = sum(i.attempts for i in items)
            print(f"{len(items)} questions, {answered} answers judged on first attempts")
            results = {
                "all questions": median_ms(runs, timed(lambda: analyse())),
                "1 h path": median_ms(runs, timed(lambda: analyse("1h"))),
                "one module": median_ms(runs, timed(lambda: analyse("", "decouvrir-pourquoi"))),
                "baseline: SELECT count(*) FROM attempts": median_ms(
                    runs, timed(lambda: storage._all("SELECT count(*) FROM attempts"))
                ),
                "baseline: read every attempt's answers": median_ms(
                    runs,
                    timed(lambda: storage._all("SELECT sum(length(answers)) FROM attempts")),
                ),
            }
            floor = results["baseline: read every attempt's answers"]
            for name, ms in results.items():
                print(f"{name}: {ms:.1f} ms ({ms / floor:.1f}× the full read)")

        await loop.run_in_executor(None, measure)
    finally:
        await storage.close()


def _measure_pages(workdir: Path, db: Path, runs: int) -> None:
    logging.getLogger("alliances").setLevel(logging.ERROR)  # the content's warnings: not ours
    settings = Settings(
        database=db,
        content_dir=ROOT / "content",
        secret_key="bench-" + "k" * 40,
        base_url="http://127.0.0.1:8000",
    )
    with TestClient(create_app(settings), base_url="http://testserver") as client:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
        done = client.post(
            "/login",
            data={"csrf_token": token, "email": "editeur@bench.fr", "password": PASSWORD},
            follow_redirects=False,
        )
        assert done.status_code == 303, done.text
        shared = app_state(client.app)

        def cold(url: str) -> object:
            shared.item_tallies = None  # as after a new attempt or a content reload
            return client.get(url)

        pages = [
            ("/editor/questions", cold, "counted afresh"),
            ("/editor/questions?tri=discrimination", client.get, "re-sorted, from the cache"),
            ("/editor/questions.csv", cold, "counted afresh"),
            ("/paths/1h/decouvrir-pourquoi", client.get, "baseline: a learner's module page"),
        ]
        for url, get, what in pages:
            response = get(url)
            assert response.status_code == 200, (url, response.status_code)
            ms = median_ms(runs, lambda url=url, get=get: get(url))
            print(f"GET {url} ({what}): {ms:.1f} ms, {len(response.content) / 1024:.0f} KiB")


if __name__ == "__main__":
    sys.exit(main())
