"""`alliances check` and `alliances gift`: the course content, read and compared."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from course.diff import compare
from course.errors import ContentError
from course.export import course_summary
from course.loader import Loader, load_course
from course.models import Course
from course.originality import overlaps
from course.quiz_report import quiz_report
from course.quiz_report_text import format_report, report_json
from server.cli.database import learners_touched


def report(problems: list, *footer: str) -> int:
    """Print content problems (file:line: message), then closing lines; exit code 1."""
    for line in [*problems, *footer]:
        print(line, file=sys.stderr)
    return 1


def cmd_check(args: argparse.Namespace) -> int:
    if args.database is not None and args.against is None:
        print("alliances: --database ne sert qu'avec --against", file=sys.stderr)
        return 2
    loader = Loader(Path(args.content_dir))
    try:
        course = loader.load()
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        errors = sum(not p.warning for p in exc.problems)
        print(f"{errors} erreur(s), {len(exc.problems) - errors} avertissement(s)", file=sys.stderr)
        return 1
    for warning in course.warnings:
        print(warning, file=sys.stderr)
    copied = overlaps(Path(args.content_dir), args.sources) if args.sources else []
    for place in copied:
        print(f"{place} : 12 mots consécutifs repris d'une source", file=sys.stderr)
    blind = quiz_report(course) if args.quiz_report else None
    if blind is not None:
        if args.json:
            json.dump(report_json(blind), sys.stdout, ensure_ascii=False, indent=2)
        print("" if args.json else format_report(blind))
    elif args.json:
        json.dump(course_summary(course), sys.stdout, ensure_ascii=False, indent=2)
        print()
    if not args.json:
        print(
            f"Contenu valide : {len(course.modules)} modules, "
            + ", ".join(f"{p.id} = {p.total_minutes} min" for p in course.paths)
            + f", version {course.version}"
            + (f", {len(course.warnings)} avertissement(s)" if course.warnings else ""),
            file=sys.stderr,
        )
    code = 1 if copied or (args.strict and course.warnings) else 0
    if blind is not None and args.strict and not blind.targets_met:
        code = 1
    if args.against is not None:
        return max(code, check_against(course, args))
    return code


def check_against(course: Course, args: argparse.Namespace) -> int:
    """Print what `course` would do to learners compared with --against: 1 if harmful."""
    out = sys.stderr if args.json else sys.stdout  # --json keeps standard output parseable
    try:
        old = load_course(args.against)  # its warnings are the past's business
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"alliances: l'ancien contenu {args.against} ne se charge pas", file=sys.stderr)
        return 1
    changes = compare(old, course)
    if args.database is not None:
        try:
            changes = learners_touched(args.database, changes)
        except Exception as exc:  # sqlite3's, psycopg's, a refused connection: one line
            reason = " ".join(str(exc).split()) or type(exc).__name__
            print(
                f"alliances: base de données illisible {args.database} : {reason}", file=sys.stderr
            )
            return 2
    for change in changes:
        print(f"{'à risque' if change.harmful else 'information'} : {change.message_fr}", file=out)
    harmful = sum(c.harmful for c in changes)
    print(
        f"Comparaison avec {args.against} : "
        + (
            f"{len(changes)} changement(s), dont {harmful} à risque pour les apprenants"
            if changes
            else "aucun changement pour les apprenants"
        ),
        file=out,
    )
    return 1 if harmful else 0


def cmd_gift_import(args: argparse.Namespace) -> int:
    """Print one line per GIFT question; exit 0 only when the module file was written."""
    from course.gift import GiftError, import_gift

    try:
        result = import_gift(args.file, args.module, args.content)
    except GiftError as exc:
        print(f"alliances: {exc}", file=sys.stderr)
        return 1
    except ContentError as exc:
        return report(exc.problems, "Le cours ne se charge pas : corrigez-le avant d'importer.")
    for line in result.report:
        print(line)
    if result.written:
        print(
            f"{len(result.imported)} question(s) ajoutée(s) à {result.written} "
            "(section « ## Quiz ») : à relire avant publication. GIFT ne connaît pas "
            "les indices : écrivez l’« **Indice.** » de chaque question importée, "
            "`alliances check` les signale jusque-là."
        )
        return 0
    if result.problems:
        print("Avec ces questions, le cours ne se chargerait plus :", file=sys.stderr)
        for problem in result.problems:
            print(problem, file=sys.stderr)
        print("Import annulé : rien n'a été écrit.", file=sys.stderr)
    else:
        print("Aucune question importée : le module n'a pas été modifié.", file=sys.stderr)
    return 1


def cmd_gift_export(args: argparse.Namespace) -> int:
    """Write the quizzes as GIFT to a file, or to standard output."""
    from course.gift import GiftError, cannot_write, export_gift, write_atomic
    from course.loader import load_course

    try:
        course = load_course(args.content, require_hints=False)  # GIFT has no hints
        text, warnings = export_gift(course, args.content, args.path)
    except GiftError as exc:
        print(f"alliances: {exc}", file=sys.stderr)
        return 1
    except ContentError as exc:
        return report(exc.problems)
    for warning in warnings:
        print(f"avertissement : {warning}", file=sys.stderr)
    if args.output is None:
        sys.stdout.write(text)
    else:
        try:
            write_atomic(args.output, text)
        except OSError as exc:
            print(f"alliances: {cannot_write(args.output, exc)}", file=sys.stderr)
            return 1
        print(f"Questions exportées au format GIFT dans {args.output}", file=sys.stderr)
    return 0
