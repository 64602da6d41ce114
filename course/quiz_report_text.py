"""The quiz report as aligned French text or as JSON, for `alliances check --quiz-report`."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from course.quiz_report import (
    ALL_BUT_SHORTEST,
    ALWAYS_FALSE,
    ALWAYS_TRUE,
    BLIND,
    BLIND_SCORE_MAX,
    LABELS,
    LONGEST,
    SHORTEST,
    Blind,
    Outcome,
    QuizReport,
)
from course.typography import no_break

HEADERS = {
    LONGEST: "Plus longue",
    SHORTEST: "Plus courte",
    ALWAYS_TRUE: "Toujours Vrai",
    ALWAYS_FALSE: "Toujours Faux",
    ALL_BUT_SHORTEST: "Sauf + courte",
    BLIND: "Aveugle",
}
LEGEND = (
    "  Plus longue, Plus courte : choix unique, cocher l’option la plus longue, la plus courte",
    "  Toujours Vrai, Toujours Faux : vrai ou faux, donner toujours la même réponse",
    "  Sauf + courte : choix multiple, cocher toutes les options sauf la plus courte",
    "  Aveugle : chaque question selon son type, avec les choix (plus longue ou plus",
    "  courte, Vrai ou Faux) les plus favorables au tricheur. Les autres colonnes ne",
    "  répondent qu’aux questions de leur type (les autres comptent faux).",
    "  Questions « 5/7 » : chaque tentative tire 5 questions parmi 7 ; la réussite est",
    "  alors la probabilité sur les tirages. Égalités de longueur : tirage au hasard.",
)


def percent(value: Fraction) -> str:
    """« 12 % », with « < 1 % » for a chance that is not zero but rounds to it."""
    if 0 < value < Fraction(1, 200):
        return "<\u00a01\u00a0%"
    return f"{round(100 * value)}\u00a0%"


def _cell(outcome: Outcome) -> str:
    return f"{percent(outcome.score):>5} {percent(outcome.pass_rate):>8}"


def format_report(report: QuizReport) -> str:
    """The report as aligned French text, one table per path."""
    keys = list(LABELS)
    width = max([len(m) for m in report.modules] + [len("Module")])
    cell = len(_cell(Outcome(Fraction(1), Fraction(1))))
    lines = [
        "Rapport des quiz : ce que marquerait une personne qui ne lit pas le cours",
        f"Seuil de réussite : {report.threshold}\u00a0%. Pour chaque stratégie, le score "
        "attendu et la probabilité de réussir le quiz.",
        *LEGEND,
    ]
    header = f"{'Module':<{width}}  {'Questions':>9}  " + "  ".join(
        f"{HEADERS[k]:^{cell}}" for k in keys
    )
    subheader = f"{'':<{width}}  {'':>9}  " + "  ".join(
        f"{'score':>5} {'réussite':>8}" for _ in keys
    )
    for path in report.course.paths:
        rows = [report.modules[m] for m in path.module_ids if m in report.modules]
        lines += ["", f"Parcours {path.id} « {path.title} »", header, subheader]
        lines.append("-" * len(header))
        for row in rows:
            total = len(row.module.questions)
            count = f"{row.shown}/{total}" if row.shown != total else str(total)
            cells = "  ".join(_cell(row.outcomes[k]) for k in keys)
            flag = "  réussi à l’aveugle" if row.worst[1].pass_rate > 0 else ""
            lines.append(f"{row.module.id:<{width}}  {count:>9}  {cells}{flag}")
        passed = sum(r.worst[1].pass_rate > 0 for r in rows)
        lines.append(f"Quiz réussis par une stratégie aveugle : {passed} sur {len(rows)}")
    lines.append("")
    worst = report.worst
    if worst:
        row, key, outcome = worst
        lines.append(
            f"Pire cas du cours : {row.module.id}, « {LABELS[key]} » : score "
            f"{percent(outcome.score)}, réussite {percent(outcome.pass_rate)}"
        )
    lines.append(
        f"Score aveugle sur tout le cours : {percent(report.blind_score)} ({report.blind.label})"
    )
    passed_blind = report.passed_blind
    names = ", ".join(r.module.id for r in passed_blind)
    lines += [
        "Objectif « aucun quiz réussi à l’aveugle » : "
        + (f"manqué ({len(passed_blind)} : {names})" if passed_blind else "atteint"),
        f"Objectif « score aveugle sous {percent(BLIND_SCORE_MAX)} » : "
        + ("atteint" if report.blind_score < BLIND_SCORE_MAX else "manqué"),
    ]
    return "\n".join(no_break(line).rstrip() for line in lines)


def _blind(blind: Blind) -> dict[str, str]:
    return {
        "single": LONGEST if blind.longest else SHORTEST,
        "true_false": ALWAYS_TRUE if blind.answer_true else ALWAYS_FALSE,
    }


def _number(value: Fraction) -> float:
    return round(float(value), 4)


def report_json(report: QuizReport) -> dict[str, Any]:
    """The same figures as plain data, shares between 0 and 1."""
    worst = report.worst
    return {
        "threshold": report.threshold,
        "strategies": LABELS,
        "paths": [
            {
                "id": p.id,
                "title": p.title,
                "modules": [m for m in p.module_ids if m in report.modules],
            }
            for p in report.course.paths
        ],
        "modules": [
            {
                "id": r.module.id,
                "source": r.module.source,
                "questions": len(r.module.questions),
                "shown": r.shown,
                "blind": _blind(r.blind),
                "strategies": {
                    k: {"score": _number(o.score), "pass_rate": _number(o.pass_rate)}
                    for k, o in r.outcomes.items()
                },
            }
            for r in report.modules.values()
        ],
        "worst": None
        if worst is None
        else {
            "module": worst[0].module.id,
            "strategy": worst[1],
            "score": _number(worst[2].score),
            "pass_rate": _number(worst[2].pass_rate),
        },
        "blind_score": _number(report.blind_score),
        "blind": _blind(report.blind),
        "passed_blind": [r.module.id for r in report.passed_blind],
        "targets_met": report.targets_met,
    }
