"""HTML fragments that depend only on the content, rendered once at start-up.

A blank quiz form is the same for every learner; rendering it per request
would cost more than the rest of the page.
"""

from __future__ import annotations

from markupsafe import Markup

from course.models import Course
from server.templating import ENV


def quiz_forms(course: Course) -> dict[str, Markup]:
    macro = ENV.get_template("_quiz.html").module.fields  # type: ignore[attr-defined]
    return {m.id: Markup(macro(m, {})) for m in course.modules.values() if m.questions}
