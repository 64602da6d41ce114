"""The certificat de réalisation as an A4 PDF, after the model of the arrêté of 21 December 2018.

Funders (OPCO, CPF) ask for it to pay for a training: the provider certifies that the trainee
followed the action, its nature, its dates and the duration actually done. The employer and
the funder's file number come from the trainer (server/views/realisation.py); everything else
from what the site recorded. The signature stays a blank box: the provider signs the print.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from course.certificates import format_duration
from server import pdf_text
from server.pdf import ACCENT, INK, NameLine
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


def realisation_pdf(f: RealisationFacts) -> bytes:
    pdf_text.register()
    body = ParagraphStyle("body", fontName="DejaVu", fontSize=10.5, leading=15, textColor=INK)
    title = ParagraphStyle(
        "title", parent=body, fontName="DejaVu-Bold", fontSize=20, leading=26, textColor=ACCENT
    )
    gap = Spacer(1, 3 * mm)
    provider = f.provider_name + (f", {f.provider_address}" if f.provider_address else "")
    if f.provider_nda:
        provider += f", numéro de déclaration d’activité {f.provider_nda}"
    story: list[Flowable] = [
        Paragraph(TITLE, title),
        gap,
        Paragraph(
            "Je soussigné(e), représentant(e) légal(e) du dispensateur de l’action concourant au"
            " développement des compétences\u00a0:",
            body,
        ),
        NameLine(provider, 10.5, INK),
        Paragraph("atteste que\u00a0:", body),
        NameLine(f.learner_name, 12, INK),
    ]
    if f.employer:
        story.append(NameLine(f"salarié(e) de l’entreprise {f.employer}", 10.5, INK))
    dates = (
        f"qui s’est déroulée du {date_fr(f.first_activity)} au {date_fr(f.last_activity)},"
        if f.first_activity and f.last_activity
        else "qui s’est déroulée"
    )
    story += [
        Paragraph(f"a suivi l’action «\u00a0{escape(f.action_title)}\u00a0»,", body),
        gap,
        Paragraph("Nature de l’action concourant au développement des compétences\u00a0:", body),
        Paragraph(
            "☒ action de formation (à distance, en autonomie) ☐ bilan de compétences"
            " ☐ action de VAE ☐ action de formation par apprentissage",
            body,
        ),
        gap,
        Paragraph(
            f"{dates} pour une durée de {format_duration(f.minutes_done)} (durée déclarée des"
            " modules terminés).",
            body,
        ),
    ]
    if f.funder_file:
        story.append(NameLine(f"Numéro de dossier du financeur\u00a0: {f.funder_file}", 10.5, INK))
    story += [
        gap,
        Paragraph(KEEPING, ParagraphStyle("small", parent=body, fontSize=9, leading=12)),
        gap,
        Paragraph(f"Fait à\u00a0: ……………………………… le {date_fr(f.issued_at)}", body),
        gap,
    ]
    box = Table(
        [[Paragraph("Cachet et signature du responsable du dispensateur de formation", body)]],
        colWidths=[95 * mm],
        rowHeights=[40 * mm],
    )
    box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.6, HexColor("#4a5563")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(box)
    buffer = BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"{TITLE} — {f.action_title}",
        author=f.provider_name,
        subject=TITLE,
        lang="fr-FR",
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    ).build(story)
    return buffer.getvalue()
