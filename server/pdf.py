"""The certificate (A4 landscape, with its verification URL and QR code) and the plan PDFs.

Both are tagged PDF/UA documents rendered from server/templates/pdf/ by
server/pdf_render.py; names and answers are escaped there like on the site, so a
name like « <b>&amp; » prints literally, in any script (server/pdf_text.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from course.certificates import Certificate
from course.models import Course
from course.plan import NO_ANSWER, Section, heading, sub_questions
from server.pdf_render import qr_data_uri, render

NAME_ROOM = 40  # characters of a name that fit one line at the largest size


def name_size(name: str, largest: float = 28, smallest: float = 14) -> float:
    """The name's size in points: smaller as it grows longer, wrapped below `smallest`."""
    return round(max(smallest, min(largest, largest * NAME_ROOM / max(1, len(name)))), 1)


def certificate_pdf(certificate: Certificate, verify_url: str) -> bytes:
    return render(
        "certificate.html",
        title=f"Attestation — {certificate.course_title}",
        author=certificate.course_title,
        subject=f"Attestation de réussite du parcours {certificate.path_title}",
        c=certificate,
        verify_url=verify_url,
        name_size=name_size(certificate.learner_name),
        qr=qr_data_uri(verify_url),
    )


@dataclass(frozen=True)
class _Reflection:
    heading: str
    asked: tuple[str, ...]
    answer: tuple[str, ...]  # paragraphs as typed; none when not answered


@dataclass(frozen=True)
class _Section:
    title: str
    reflections: tuple[_Reflection, ...]


def plan_pdf(
    course: Course, sections: tuple[Section, ...], answers: dict, name: str, date: str
) -> bytes:
    """The learner's « plan d'alliance » as an A4 document, answers as typed."""
    printed = tuple(
        _Section(
            section.module.title,
            tuple(
                _Reflection(
                    heading(reflection),
                    tuple(sub_questions(reflection)),
                    tuple(
                        p for p in answers.get(reflection.id, "").strip().split("\n\n") if p.strip()
                    ),
                )
                for reflection in section.reflections
            ),
        )
        for section in sections
    )
    return render(
        "plan.html",
        title="Mon plan d’alliance",
        author=name,
        subject=f"Plan d’alliance rédigé dans la formation {course.title}",
        course=course,
        sections=printed,
        name=name,
        date=date,
        no_answer=NO_ANSWER,
    )
