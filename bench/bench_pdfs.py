"""Time to make each kind of PDF, one document at a time, in one process.

Builds, from the bundled course (`content/`): the certificate (a long name), the
plan with every reflection answered (three paragraphs each), the attestation de
fin de formation, the certificat de réalisation and every course template. Each
document is made --runs times after one warm-up (fonts and templates loaded);
the median is printed in milliseconds, with the PDF's size.

The public functions have kept their signatures since the switch from reportlab
to WeasyPrint (tagged PDF/UA), so the same script times an older tree: extract it
(`git archive COMMIT server course static | tar -x -C /tmp/old`) and run with
`PYTHONPATH=/tmp/old`. The machine is shared: compare ratios from runs made
side by side, not milliseconds across days.

Usage: python bench/bench_pdfs.py [--runs 7] [--content content]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from course import plan
from course.certificates import Certificate
from course.loader import load_course
from server.attestation import Accompaniment, Attestation, ModuleResult
from server.attestation_pdf import attestation_pdf
from server.pdf import certificate_pdf, plan_pdf
from server.realisation_pdf import RealisationFacts, realisation_pdf
from server.template_pdf import template_pdf

ISSUED = "2026-05-01T10:00:00+00:00"
URL = "https://formation.example.org/certificates/" + "c" * 32
ANSWER = "\n\n".join(
    ["Nous rencontrons la mairie et deux associations du quartier chaque trimestre. " * 4] * 3
)


def documents(content: Path) -> dict[str, Callable[[], bytes]]:
    course = load_course(content)
    sections = plan.sections(course)
    answers = {r.id: ANSWER for s in sections for r in s.reflections}
    certificate = Certificate(
        "c" * 32, 1, "p", "Marie-Thérèse de La Rochefoucauld", "Parcours", 90, course.title, "v1",
        ISSUED,
    )  # fmt: skip
    facts = Attestation(
        certificate=certificate,
        provider_name="Territoires Formation",
        provider_address="12 rue des Partenaires, 59000 Lille",
        provider_nda="11751234567",
        objectives=("Expliquer pourquoi.", "Cartographier son écosystème."),
        description="",
        cohorts=(Accompaniment("Promo Lille", ("Fanny Formatrice",)),),
        first_activity=ISSUED,
        last_activity=ISSUED,
        results=tuple(ModuleResult(f"Module {n}", 80, True) for n in range(12)),
        pass_threshold=70,
        verify_url=URL,
    )
    realisation = RealisationFacts(
        "Territoires Formation", "12 rue des Partenaires", "11751234567", "Léa Martin",
        "Mairie de Lille", "OPCO-2026-42", course.title, ISSUED, ISSUED, 360, ISSUED,
    )  # fmt: skip
    made: dict[str, Callable[[], bytes]] = {
        "certificate": lambda: certificate_pdf(certificate, URL),
        "plan (every answer)": lambda: plan_pdf(course, sections, answers, "Léa", "1er mai"),
        "attestation": lambda: attestation_pdf(facts),
        "réalisation": lambda: realisation_pdf(realisation),
    }
    for template in course.templates.values():
        made[f"template {template.id}"] = lambda t=template: template_pdf(
            t, course.title, "https://formation.example.org/"
        )
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--content", type=Path, default=Path("content"))
    args = parser.parse_args()
    for name, make in documents(args.content).items():
        size = len(make())  # warm-up: fonts registered, templates compiled
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            make()
            times.append(time.perf_counter() - start)
        print(f"{name:32} {statistics.median(times) * 1000:8.1f} ms {size / 1024:8.1f} KiB")


if __name__ == "__main__":
    main()
