"""SQL for the questions a learner asks their cohort's trainers: part of the storage layer.

Pedagogical assistance that leaves a trace (issue #18 §2): each thread belongs to one
learner, one cohort and one module; its messages are dated and say who wrote them.
A question or an answer and the e-mails announcing it are written in one transaction,
so a message is never announced without being recorded, nor recorded unannounced.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from server.mail.compose import Message
from server.storage.base import Database
from server.storage.outbox import outbox_step

_THREAD = (
    "SELECT q.id, q.cohort_id, q.user_id, q.path_id, q.module_id, q.created_at,"
    " q.trainer_unread, (SELECT max(created_at) FROM question_messages m"
    " WHERE m.question_id = q.id) AS last_at,"
    " (SELECT count(*) FROM question_messages m WHERE m.question_id = q.id) AS messages"
    " FROM questions q"
)


@dataclass(frozen=True)
class Question:
    """One thread: a learner's question about a module, in a cohort."""

    id: int
    cohort_id: int
    user_id: int
    path_id: str
    module_id: str
    created_at: str
    trainer_unread: bool
    last_at: str
    messages: int


@dataclass(frozen=True)
class Exchange:
    """One dated message of a thread: what the « relevé d'activité » lists."""

    question_id: int
    module_id: str
    at: str
    author_name: str
    from_trainer: bool
    body: str


def _question(row: Sequence) -> Question:
    return Question(
        int(row[0]), int(row[1]), int(row[2]), row[3], row[4], row[5], bool(row[6]), row[7],
        int(row[8]),
    )  # fmt: skip


def _mail_steps(messages: Sequence[tuple[Message, int]], cohort_id: int) -> list:
    return [outbox_step(m, user_id=uid, cohort_id=cohort_id) for m, uid in messages]


class QuestionQueries(Database):
    """Threads between a learner and their cohort's trainers."""

    async def ask_question(
        self,
        cohort_id: int,
        user_id: int,
        path_id: str,
        module_id: str,
        body: str,
        at: str,
        mail: Sequence[tuple[Message, int]] = (),
    ) -> int:
        """Open a thread with its first message, and queue `mail` (message, recipient id)."""
        results = await self._transaction(
            [
                (
                    "INSERT INTO questions (cohort_id, user_id, path_id, module_id, created_at)"
                    " VALUES (?, ?, ?, ?, ?) RETURNING id",
                    (cohort_id, user_id, path_id, module_id, at),
                ),
                (
                    "INSERT INTO question_messages (question_id, author_id, from_trainer,"
                    " body, created_at) VALUES (last_insert_rowid(), ?, 0, ?, ?)",
                    (user_id, body, at),
                ),
                *_mail_steps(mail, cohort_id),
            ]
        )
        return int(results[0][0][0])

    async def answer_question(
        self,
        question_id: int,
        author_id: int,
        from_trainer: bool,
        body: str,
        at: str,
        mail: Sequence[tuple[Message, int]] = (),
        cohort_id: int | None = None,
    ) -> None:
        """Add a message; the thread is unread for trainers when the learner wrote it."""
        await self._transaction(
            [
                (
                    "INSERT INTO question_messages (question_id, author_id, from_trainer,"
                    " body, created_at) VALUES (?, ?, ?, ?, ?)",
                    (question_id, author_id, int(from_trainer), body, at),
                ),
                (
                    "UPDATE questions SET trainer_unread = ? WHERE id = ?",
                    (0 if from_trainer else 1, question_id),
                ),
                *[outbox_step(m, user_id=uid, cohort_id=cohort_id) for m, uid in mail],
            ]
        )

    async def question(self, question_id: int) -> Question | None:
        row = await self._one(f"{_THREAD} WHERE q.id = ?", (question_id,))
        return None if row is None else _question(row)

    async def question_messages(self, question_id: int) -> list[Exchange]:
        """The thread's messages, oldest first, with their authors' names."""
        return await self._exchanges("m.question_id = ?", (question_id,))

    async def learner_questions(self, user_id: int, module_id: str | None = None) -> list[Question]:
        """The learner's threads (in one module, if given), latest activity first."""
        where = "q.user_id = ?"
        params: list[object] = [user_id]
        if module_id is not None:
            where += " AND q.module_id = ?"
            params.append(module_id)
        rows = await self._all(f"{_THREAD} WHERE {where} ORDER BY last_at DESC, q.id", params)
        return [_question(r) for r in rows]

    async def cohort_learner_questions(self, cohort_id: int, user_id: int) -> list[Question]:
        """A learner's threads in a cohort, as its trainers see them (unread flag included)."""
        rows = await self._all(
            f"{_THREAD} WHERE q.cohort_id = ? AND q.user_id = ? ORDER BY last_at DESC, q.id",
            (cohort_id, user_id),
        )
        return [_question(r) for r in rows]

    async def mark_question_read(self, question_id: int) -> None:
        await self._write(
            "UPDATE questions SET trainer_unread = 0 WHERE id = ? AND trainer_unread <> 0",
            (question_id,),
        )

    async def learner_exchanges(self, cohort_id: int, user_id: int) -> list[Exchange]:
        """Every message between a learner and the cohort's trainers, oldest first: dated,
        with its module and who wrote it (for the « relevé d'activité »)."""
        return await self._exchanges("q.cohort_id = ? AND q.user_id = ?", (cohort_id, user_id))

    async def _exchanges(self, where: str, params: Sequence[object]) -> list[Exchange]:
        rows = await self._all(
            "SELECT q.id, q.module_id, m.created_at, u.name, m.from_trainer, m.body"
            " FROM question_messages m JOIN questions q ON q.id = m.question_id"
            f" JOIN users u ON u.id = m.author_id WHERE {where} ORDER BY m.created_at, m.id",
            params,
        )
        return [Exchange(int(r[0]), r[1], r[2], r[3], bool(r[4]), r[5]) for r in rows]
