"""The attestation de fin de formation as an A4 PDF (facts gathered by server/attestation.py).

A tagged PDF/UA document rendered from server/templates/pdf/attestation.html (see
server/pdf_render.py): headings for each item L6353-1 lists, the results as a table
with header cells, the QR code as a figure with its alternative text. Names typed by
people (the learner's, a cohort's, its trainers') print in any script.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.attestation import NATURE, Attestation
from server.pdf_render import qr_data_uri, render

TITLE = "Attestation de fin de formation"
LAW = "Délivrée en application de l’article L6353-1 du Code du travail."
NDA_NOTE = "Cet enregistrement ne vaut pas agrément de l’État."


@dataclass(frozen=True)
class _Row:
    title: str
    score: str
    mark: str
    outcome: str


def _lower_first(text: str) -> str:
    """« Expliquer pourquoi… » after « est capable de » reads « expliquer pourquoi… »."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _rows(a: Attestation) -> list[_Row]:
    rows = []
    for r in a.results:
        if r.best_score is None:
            outcome = "terminé" if r.completed else "non terminé"
            rows.append(_Row(r.title, "sans quiz", "—", outcome))
        else:
            outcome = "acquis" if r.best_score >= a.pass_threshold else "non acquis"
            score, mark = f"{r.best_score}\u00a0%", f"{a.pass_threshold}\u00a0%"
            rows.append(_Row(r.title, score, mark, outcome))
    return rows


def attestation_pdf(a: Attestation) -> bytes:
    """Every item L6353-1 lists, with the provider and the certificate's verification."""
    c = a.certificate
    overall = (
        f"Résultat global\u00a0: parcours réussi, chaque quiz au seuil de {a.pass_threshold}\u00a0%"
        " ou au-delà."
        if a.passed
        else "Résultat global\u00a0: parcours non validé (attestation de réussite révoquée)."
    )
    return render(
        "attestation.html",
        title=f"{TITLE} — {c.path_title}",
        author=a.provider_name,
        subject=f"{TITLE} du parcours {c.path_title}, {c.course_title}",
        heading=TITLE,
        law=LAW,
        nda_note=NDA_NOTE,
        nature=NATURE,
        a=a,
        c=c,
        objectives=[_lower_first(o) for o in a.objectives],
        results=_rows(a),
        overall=overall,
        qr=qr_data_uri(a.verify_url),
    )
