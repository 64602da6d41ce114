"""LinkedIn's « add to profile » link for a certificate (issue #16 §2): no API and no account
of the site at LinkedIn, only a pre-filled form that the learner checks and saves there."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from course.certificates import Certificate

LINKEDIN_ADD = "https://www.linkedin.com/profile/add"


def certification_name(certificate: Certificate) -> str:
    """The name the credential carries (course/badges.py), so LinkedIn shows the same one."""
    return f"{certificate.course_title} — {certificate.path_title}"


def linkedin_url(certificate: Certificate, organisation: str, verify_url: str) -> str:
    """LinkedIn's form, filled in with the certification's name, the organisation, the month
    of issue, the verification page and the certificate's id.

    Every value is percent-encoded (spaces as %20, « & » in a name as %26); the month has no
    leading zero, as LinkedIn reads it.
    """
    fields = {
        "startTask": "CERTIFICATION_NAME",
        "name": certification_name(certificate),
        "organizationName": organisation,
        "issueYear": certificate.issued_at[:4],
        "issueMonth": str(int(certificate.issued_at[5:7])),
        "certUrl": verify_url,
        "certId": certificate.id,
    }
    return f"{LINKEDIN_ADD}?{urlencode(fields, quote_via=quote)}"
