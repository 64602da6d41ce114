"""The attestation de fin de formation as an A4 PDF (facts gathered by server/attestation.py).

Names typed by people (the learner's, a cohort's, its trainers') print in any script through
NameLine and server/pdf_text.py, as on the certificate; course text goes through Paragraph
after escaping. The document states its language (fr-FR) and title; reportlab cannot tag
the structure (PDF/UA), see the README.
"""

from __future__ import annotations

from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from course.certificates import format_duration
from server import pdf_text
from server.attestation import NATURE, Attestation
from server.pdf import ACCENT, INK, NameLine
from server.templating import date_fr

TITLE = "Attestation de fin de formation"
LAW = "Délivrée en application de l’article L6353-1 du Code du travail."
NDA_NOTE = "Cet enregistrement ne vaut pas agrément de l’État."
MUTED = HexColor("#4a5563")


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName="DejaVu", fontSize=10.5, leading=15, textColor=INK)
    return {
        "body": body,
        "muted": ParagraphStyle("muted", parent=body, fontSize=9, leading=12, textColor=MUTED),
        "title": ParagraphStyle(
            "title", parent=body, fontName="DejaVu-Bold", fontSize=20, leading=26, textColor=ACCENT
        ),
        "label": ParagraphStyle(
            "label", parent=body, fontName="DejaVu-Bold", spaceBefore=7, spaceAfter=1
        ),
        "item": ParagraphStyle("item", parent=body, leftIndent=12, bulletIndent=2),
        "cell": ParagraphStyle("cell", parent=body, fontSize=9.5, leading=12),
    }


def _lower_first(text: str) -> str:
    """« Expliquer pourquoi… » after « est capable de » reads « expliquer pourquoi… »."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _qr(data: str, size: float) -> Drawing:
    widget = QrCodeWidget(data, barLevel="M")
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(
        size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0]
    )
    drawing.add(widget)
    return drawing


def _results(a: Attestation, s: dict[str, ParagraphStyle]) -> Table:
    head = ["Module", "Meilleur score", "Seuil de réussite", "Résultat"]
    rows: list[list[object]] = [[Paragraph(f"<b>{h}</b>", s["cell"]) for h in head]]
    for r in a.results:
        if r.best_score is None:
            score, mark = "sans quiz", "—"
            outcome = "terminé" if r.completed else "non terminé"
        else:
            score, mark = f"{r.best_score}\u00a0%", f"{a.pass_threshold}\u00a0%"
            outcome = "acquis" if r.best_score >= a.pass_threshold else "non acquis"
        cells = (escape(r.title), score, mark, outcome)
        rows.append([Paragraph(c, s["cell"]) for c in cells])
    table = Table(rows, colWidths=[88 * mm, 26 * mm, 28 * mm, 28 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, MUTED),
                ("BACKGROUND", (0, 0), (-1, 0), HexColor("#e8f1ee")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def attestation_pdf(a: Attestation) -> bytes:
    """Every item L6353-1 lists, with the provider and the certificate's verification."""
    pdf_text.register()
    s = _styles()
    c = a.certificate
    story: list[Flowable] = [Paragraph(TITLE, s["title"]), Paragraph(LAW, s["muted"])]
    story.append(Paragraph("Organisme de formation", s["label"]))
    story.append(NameLine(a.provider_name, 10.5, INK))
    if a.provider_address:
        story.append(NameLine(a.provider_address, 10.5, INK))
    if a.provider_nda:
        story.append(
            Paragraph(
                f"Numéro de déclaration d’activité\u00a0: {a.provider_nda}. {NDA_NOTE}", s["body"]
            )
        )
    story.append(Paragraph("Stagiaire", s["label"]))
    story.append(NameLine(c.learner_name, 12, INK))
    story.append(Paragraph("Intitulé de l’action", s["label"]))
    story.append(
        Paragraph(
            f"{escape(c.course_title)}, parcours «\u00a0{escape(c.path_title)}\u00a0»", s["body"]
        )
    )
    story.append(Paragraph("Objectifs", s["label"]))
    if a.objectives:
        story.append(
            Paragraph("À l’issue de la formation, le stagiaire est capable de\u00a0:", s["body"])
        )
        for objective in a.objectives:
            story.append(Paragraph(escape(_lower_first(objective)), s["item"], bulletText="•"))
    else:
        story.append(Paragraph(escape(a.description) or "—", s["body"]))
    story.append(Paragraph("Nature de l’action", s["label"]))
    story.append(Paragraph(f"{NATURE}.", s["body"]))
    for group in a.cohorts:
        line = f"Suivie dans le groupe «\u00a0{group.cohort}\u00a0»"
        if group.trainers:
            line += ", accompagné par " + ", ".join(group.trainers)
        story.append(NameLine(line + ".", 10.5, INK))
    story.append(Paragraph("Durée et dates", s["label"]))
    story.append(
        Paragraph(
            f"Durée de l’action\u00a0: {format_duration(c.duration_minutes)}"
            " (durée déclarée du parcours).",
            s["body"],
        )
    )
    if a.first_activity and a.last_activity:
        story.append(
            Paragraph(
                f"Première activité le {date_fr(a.first_activity)}, dernière activité le"
                f" {date_fr(a.last_activity)}.",
                s["body"],
            )
        )
    story.append(Paragraph("Résultats de l’évaluation des acquis", s["label"]))
    story.append(_results(a, s))
    overall = (
        f"Résultat global\u00a0: parcours réussi, chaque quiz au seuil de {a.pass_threshold}\u00a0%"
        " ou au-delà."
        if a.passed
        else "Résultat global\u00a0: parcours non validé (attestation de réussite révoquée)."
    )
    story += [Spacer(1, 3 * mm), Paragraph(overall, s["body"])]
    story.append(Paragraph("Vérification", s["label"]))
    story.append(
        Paragraph(
            f"Attestation de réussite délivrée le {date_fr(c.issued_at)}, vérifiable à"
            f" l’adresse\u00a0: {escape(a.verify_url)}",
            s["body"],
        )
    )
    story += [Spacer(1, 2 * mm), _qr(a.verify_url, 30 * mm)]
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"{TITLE} — {c.path_title}",
        author=a.provider_name,
        subject=f"{TITLE} du parcours {c.path_title}, {c.course_title}",
        lang="fr-FR",
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    document.build(story)
    return buffer.getvalue()
