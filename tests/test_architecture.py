"""The layout's rules, checked: where SQL lives and which way imports go.

Every SQL statement of the project lives in server/storage/ (issue #15): a
backend can then be checked, or replaced, by reading one package. course/ is the
domain and never imports the web stack or the server; server/ may import course/.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQL = re.compile(
    r"\b(SELECT\s+[\w*(]|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX)"
    r"|ALTER\s+TABLE|PRAGMA\s+\w)"
)


def _python_files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _strings(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_sql_lives_only_in_the_storage_package() -> None:
    storage = ROOT / "server" / "storage"
    outside = [
        f"{path.relative_to(ROOT)}:{line}: {text.strip()[:60]!r}"
        for folder in ("server", "course")
        for path in _python_files(folder)
        if storage not in path.parents
        for line, text in _strings(path)
        if SQL.search(text)
    ]
    assert outside == [], "SQL outside server/storage/:\n" + "\n".join(outside)


def test_the_check_finds_sql_where_it_is() -> None:
    """The rule above would pass on any folder without SQL: show it sees some."""
    assert any(SQL.search(text) for _, text in _strings(ROOT / "server/storage/learning.py"))


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_the_domain_never_imports_the_server_or_the_web_stack() -> None:
    forbidden = {"server", "starlette", "uvicorn", "jinja2", "aiosqlite", "psycopg"}
    found = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & forbidden)
        for path in _python_files("course")
        if _imports(path) & forbidden
    }
    assert found == {}
