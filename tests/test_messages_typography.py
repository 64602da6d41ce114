"""Messages learners and trainers read (pages, forms, PDFs) follow French typography.

Templates write `&nbsp;` themselves; this scans the strings Python code puts on
pages and into PDFs for an ordinary space where a no-break one is due.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
USER_FACING = [
    *sorted((ROOT / "server" / "views").glob("*.py")),
    ROOT / "server" / "errors.py",
    ROOT / "server" / "pdf.py",
    ROOT / "course" / "grading.py",
    ROOT / "course" / "roster.py",
]
PLAIN_SPACE = re.compile(r" [:;!?»]|« ")
SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|WHERE|FROM)\b")


def strings(path: Path) -> list[tuple[int, str]]:
    """String constants and f-string parts, without docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and not SQL.search(node.value)
    ]


def test_no_plain_space_before_french_punctuation() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}: {text!r}"
        for path in USER_FACING
        for line, text in strings(path)
        if PLAIN_SPACE.search(text)
    ]
    assert found == []


def test_the_scan_sees_f_string_parts() -> None:
    source = 'message = f"Fichier trop long : {n} lignes"\n'
    tree = ast.parse(source)
    parts = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)]
    assert any(PLAIN_SPACE.search(part) for part in parts)
