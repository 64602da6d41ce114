"""Who teaches, by the roles a platform sends (LTI 1.3 core §A.2, issue #17 §3).

An instructor of a platform course becomes a trainer of that course's cohort here, and
of no other; everyone else (a learner, a mentor, no role at all) is a learner. The
institution and system roles count because Moodle sends them alone for a site
administrator who opens a course they are not enrolled in.
"""

from __future__ import annotations

from collections.abc import Iterable

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
INSTRUCTOR_ROLES = frozenset(
    {
        LIS + "membership#Instructor",
        LIS + "membership#ContentDeveloper",
        LIS + "membership#Administrator",
        LIS + "membership/Instructor#TeachingAssistant",
        LIS + "institution/person#Instructor",
        LIS + "institution/person#Administrator",
        LIS + "institution/person#Faculty",
        LIS + "system/person#Administrator",
        # The short forms LTI 1.3 still allows for context roles (and NRPS rosters use).
        "Instructor",
        "ContentDeveloper",
        "Administrator",
        "TeachingAssistant",
    }
)


def is_instructor(roles: Iterable[str]) -> bool:
    """Whether any of these roles teaches the context (case as the specification spells it)."""
    return any(role.strip() in INSTRUCTOR_ROLES for role in roles)
