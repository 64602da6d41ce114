"""The certificat de réalisation as an A4 PDF, after the model of the arrêté of 21 December 2018.

Funders (OPCO, CPF) ask for it to pay for a training: the provider certifies that the trainee
followed the action, its nature, its dates and the duration actually done. The employer and
the funder's file number come from the trainer (server/views/realisation.py); everything else
from what the site recorded. The signature stays a blank box: the provider signs the print.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.attestation import Accompaniment
from server.templating import date_fr

TITLE = "Certificat de réalisation"
KEEPING = (
    "Sans préjudice des délais imposés par les règles fiscales, comptables ou commerciales, je"
    " m’engage à conserver l’ensemble des pièces justificatives qui ont permis d’établir le"
    " présent certificat pendant une durée de 3\u00a0ans à compter de la fin de l’année du"
    " dernier paiement. En cas de cofinancement des fonds européens, la durée de conservation"
    " est étendue conformément aux obligations conventionnelles spécifiques."
)


@dataclass(frozen=True)
class RealisationFacts:
    provider_name: str
    provider_address: str
    provider_nda: str
    learner_name: str
    employer: str
    funder_file: str
    action_title: str
    first_activity: str | None
    last_activity: str | None
    minutes_done: int
    issued_at: str
    cohort: Accompaniment | None = None  # the cohort the path was followed in, if any


def realisation_pdf(f: RealisationFacts) -> bytes:
    from server.pdf_render import render  # WeasyPrint loads on first use: the view imports us

    provider = f.provider_name + (f", {f.provider_address}" if f.provider_address else "")
    if f.provider_nda:
        provider += f", numéro de déclaration d’activité {f.provider_nda}"
    dates = (
        f"qui s’est déroulée du {date_fr(f.first_activity)} au {date_fr(f.last_activity)},"
        if f.first_activity and f.last_activity
        else "qui s’est déroulée"
    )
    return render(
        "realisation.html",
        title=f"{TITLE} — {f.action_title}",
        author=f.provider_name,
        subject=TITLE,
        heading=TITLE,
        f=f,
        provider=provider,
        dates=dates,
        keeping=KEEPING,
    )
