"""The compiled course as plain data, for `alliances check --json` and tools."""

from __future__ import annotations

from typing import Any

from course.models import Course


def course_summary(course: Course) -> dict[str, Any]:
    return {
        "title": course.title,
        "language": course.language,
        "version": course.version,
        "pass_threshold": course.pass_threshold,
        "paths": [
            {
                "id": p.id,
                "title": p.title,
                "target_minutes": p.target_minutes,
                "total_minutes": p.total_minutes,
                "modules": list(p.module_ids),
            }
            for p in course.paths
        ],
        "modules": [
            {
                "id": m.id,
                "title": m.title,
                "duration": m.duration,
                "estimated_minutes": m.estimated_minutes,
                "source": m.source,
                "questions": [
                    {
                        "id": q.id,
                        "kind": q.kind.value,
                        "choices": [{"id": c.id, "correct": c.correct} for c in q.choices],
                    }
                    for q in m.questions
                ],
                "reflections": [{"id": r.id, "minutes": r.minutes} for r in m.reflections],
            }
            for m in course.modules.values()
        ],
        "pages": [{"id": p.id, "title": p.title} for p in course.pages.values()],
    }
