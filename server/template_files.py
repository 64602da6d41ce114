"""The PDF and DOCX of each course template, built once per content version.

A template's files depend only on the compiled content, so the first request after
a start or a reload builds them (in a worker thread) and every later one reads bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from course.models import Course, Template


@dataclass(frozen=True)
class Format:
    extension: str
    media_type: str


PDF = Format("pdf", "application/pdf")
DOCX = Format("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
FORMATS = {f.extension: f for f in (PDF, DOCX)}


def build(template: Template, course: Course, fmt: Format, base_url: str) -> bytes:
    # WeasyPrint and python-docx load on first use: most processes never need them
    if fmt is PDF:
        from server.template_pdf import template_pdf

        return template_pdf(template, course.title, base_url)
    from server.template_docx import template_docx

    return template_docx(template, course.title, base_url)


class TemplateFiles:
    """Built files keyed by content version; a new version drops the old ones."""

    def __init__(self) -> None:
        self.version = ""
        self.files: dict[tuple[str, str], bytes] = {}

    def get(self, course: Course, template_id: str, extension: str) -> bytes | None:
        if course.version != self.version:
            return None
        return self.files.get((template_id, extension))

    def put(self, course: Course, template_id: str, extension: str, data: bytes) -> None:
        if course.version != self.version:
            self.version, self.files = course.version, {}
        self.files[(template_id, extension)] = data
