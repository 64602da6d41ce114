"""Each attempt shows its own draw of questions, its options in its own order.

Grading never depends on that order; a reload shows the same attempt; the result
page shows what the learner saw; a form from an attempt already submitted (a
second tab) records nothing.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from course.attempt import arrange
from course.grading import grade, parse_answers
from course.kinds import Kind
from course.loader import load_course
from server.app import create_app
from server.settings import Settings
from server.state import app_state
from tests.conftest import FIXTURE_COURSE, Learner

EXTRA = """
### Choix unique {{#intro-extra-{n}}}

Question supplémentaire {n}.

- [x] Juste {{#a}}
- [ ] Faux un {{#b}}
- [ ] Faux deux {{#c}}
- [ ] Faux trois {{#d}}

**Indice.** Relisez [Un tableau](#un-tableau).

**Explication.** Explication {n}.
"""


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """The fixture course whose intro quiz is a pool of 6 questions, 3 drawn per attempt."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURE_COURSE, target)
    intro = target / "modules" / "intro.md"
    text = intro.read_text(encoding="utf-8").replace("duration: 3\n", "duration: 3\ndraw: 3\n")
    text = text.replace(
        "## Sources", "".join(EXTRA.format(n=n) for n in (1, 2, 3)) + "\n## Sources"
    )
    intro.write_text(text, encoding="utf-8")
    return target


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url="http://testserver") as test_client:
        yield test_client


def seeds(count: int) -> list[int]:
    """Seeds like the server's: 256 bits from a hash."""
    return [int.from_bytes(hashlib.sha256(str(n).encode()).digest()) for n in range(count)]


def shown(html: str) -> list[tuple[str, list[str]]]:
    """(question id, option ids in page order) of a quiz form or result page."""
    form = html.split('class="form quiz-form"')[1].split("</form>")[0]
    order: dict[str, list[str]] = {}
    for qid, cid in re.findall(r'name="([\w-]+)" value="([\w-]+)"', form):
        if qid not in ("csrf_token", "tentative"):
            order.setdefault(qid, []).append(cid)
    return list(order.items())


def test_order_is_a_stable_permutation_and_true_false_keeps_its_order(
    content_dir: Path,
) -> None:
    module = load_course(content_dir).modules["intro"]
    assert module.draw == 3 and len(module.questions) == 6
    orders = set()
    for seed in seeds(40):
        arrangement = arrange(module, seed)
        assert arrangement == arrange(module, seed)  # the same seed, the same quiz
        assert len(arrangement.questions) == 3
        ids = [q.id for q in arrangement.questions]
        assert ids == [q.id for q in module.questions if q.id in ids]  # the module's order
        for sq in arrangement.questions:
            assert sorted(c.id for c in sq.choices) == sorted(sq.question.choice_ids)
            if sq.question.kind is Kind.TRUE_FALSE:
                assert [c.id for c in sq.choices] == ["vrai", "faux"]
            else:
                orders.add((sq.id, tuple(c.id for c in sq.choices)))
    assert len({o for o in orders if o[0] == "intro-extra-1"}) > 3  # really shuffled
    assert len({arrange(module, seed).ids for seed in seeds(40)}) > 5  # really drawn


def test_grading_does_not_depend_on_the_order(content_dir: Path) -> None:
    module = load_course(content_dir).modules["intro"]
    for seed in seeds(20):
        asked = arrange(module, seed).plain
        right = [(q.id, c) for q in asked for c in sorted(q.correct_ids)]
        answers = parse_answers(module, right, asked=asked)
        assert grade(module, answers, 70, asked=asked).score == 100
        with pytest.raises(ValueError, match="question inconnue"):
            outside = next(q for q in module.questions if q not in asked)
            parse_answers(module, [*right, (outside.id, "a")], asked=asked)


def test_a_reload_shows_the_same_attempt_and_the_result_the_order_seen(
    client: TestClient,
) -> None:
    learner = Learner(client)
    learner.signup()
    first = client.get("/paths/1h/intro").text
    assert shown(first) == shown(client.get("/paths/1h/intro").text)
    assert len(shown(first)) == 3 and "Chaque tentative tire 3 questions parmi 6" in first
    answers = {qid: options[-1] for qid, options in shown(first)}
    learner.quiz("/paths/1h/intro", answers)
    # A new attempt: a new arrangement (over a few tries, the draw changes).
    draws = {tuple(q for q, _ in shown(first))}
    for _ in range(4):
        page = client.get("/paths/1h/intro").text
        draws.add(tuple(q for q, _ in shown(page)))
        learner.quiz("/paths/1h/intro", {qid: opts[0] for qid, opts in shown(page)})
    assert len(draws) > 1


def test_the_review_follows_the_order_the_learner_saw(client: TestClient) -> None:
    learner = Learner(client)
    learner.signup()
    form = client.get("/paths/1h/intro").text
    order = shown(form)
    result = learner.quiz("/paths/1h/intro", {q: opts[0] for q, opts in order}).text
    review = result.split('class="results"')[1]
    module_texts = {"a": "Juste", "b": "Faux un", "c": "Faux deux", "d": "Faux trois"}
    for qid, options in order:
        if qid.startswith("intro-extra"):
            block = review.split(f"Question supplémentaire {qid[-1]}.")[1].split("</ul>")[0]
            positions = [block.index(module_texts[o]) for o in options]
            assert positions == sorted(positions)


def test_a_form_already_submitted_in_another_tab_records_nothing(client: TestClient) -> None:
    learner = Learner(client)
    learner.signup()
    page = client.get("/paths/1h/intro").text
    token = re.search(r'name="tentative" value="([^"]+)"', page)[1]
    answers = {qid: opts[0] for qid, opts in shown(page)}
    first = learner.post("/paths/1h/intro", {"tentative": token, **answers})
    assert first.status_code == 303
    again = learner.post("/paths/1h/intro", {"tentative": token, **answers})
    assert again.status_code == 409 and "autre onglet" in again.text
    assert 'name="tentative"' in again.text and token not in again.text  # the next attempt
    assert attempts(client) == 1


def attempts(client: TestClient) -> int:
    row = client.portal.call(app_state(client.app).storage._one, "SELECT count(*) FROM attempts")
    return row[0]


def test_another_learners_form_is_not_graded_for_me(client: TestClient) -> None:
    lea = Learner(client)
    lea.signup()
    token = re.search(r'name="tentative" value="([^"]+)"', client.get("/paths/1h/intro").text)[1]
    lea.post("/logout")
    client.cookies.clear()
    other = Learner(client)
    other.signup(email="autre@example.fr")
    page = client.get("/paths/1h/intro").text
    answers = {qid: opts[0] for qid, opts in shown(page)}
    response = other.post("/paths/1h/intro", {"tentative": token, **answers})
    assert response.status_code in (400, 409)  # graded against Léa's draw, or refused
    assert attempts(client) == 0


def test_a_past_attempt_is_shown_as_answered_even_after_the_pool_changed(
    content_dir: Path,
) -> None:
    module = load_course(content_dir).modules["intro"]
    attempt = arrange(module, seeds(1)[0])
    again = arrange(module, seeds(1)[0], answered=attempt.ids)
    assert again == attempt  # the result page shows the order the learner saw
    outside = next(q.id for q in module.questions if q.id not in attempt.ids)
    widened = arrange(module, seeds(1)[0], answered=attempt.ids | {outside})
    assert widened.ids == attempt.ids | {outside}  # answered before the draw changed


def test_an_attempt_token_names_its_learner_attempt_and_module_and_cannot_be_forged() -> None:
    from server.security import Signer

    signer = Signer("s" * 40)
    token = signer.attempt_token(7, "intro", 3)
    assert signer.attempt_of(token, "intro") == (7, 3)
    assert signer.attempt_of(token, "lecture") is None  # another module's form
    assert signer.attempt_of(token.replace("7.3", "7.0", 1), "intro") is None  # edited
    assert signer.attempt_of(Signer("t" * 40).attempt_token(7, "intro", 3), "intro") is None
    assert signer.attempt_of("", "intro") is None and signer.attempt_of("x.y", "intro") is None
    assert signer.attempt_seed(7, "intro", 3) == Signer("s" * 40).attempt_seed(7, "intro", 3)
    assert signer.attempt_seed(7, "intro", 3) != signer.attempt_seed(7, "intro", 4)


def test_each_option_comes_first_about_as_often_and_each_question_is_drawn_as_often(
    content_dir: Path,
) -> None:
    module = load_course(content_dir).modules["intro"]
    first: dict[str, int] = {}
    drawn: dict[str, int] = {}
    for seed in seeds(3000):
        for sq in arrange(module, seed).questions:
            drawn[sq.id] = drawn.get(sq.id, 0) + 1
            if sq.id == "intro-extra-2":
                first[sq.choices[0].id] = first.get(sq.choices[0].id, 0) + 1
    assert sorted(first) == ["a", "b", "c", "d"]
    assert all(300 < n < 450 for n in first.values()), first  # drawn 1,500 times: 375 each
    assert all(1300 < n < 1700 for n in drawn.values()), drawn  # 3 of 6: 1500 expected
