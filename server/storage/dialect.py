"""The storage layer's SQL, as PostgreSQL reads it.

The domain methods are written once, in the SQL both databases share (standard
SQL with `ON CONFLICT`, `RETURNING`, CTEs), in SQLite's spelling. This module
rewrites the few spellings that differ, statement by statement, once (cached):

- placeholders: `?`, `?1` and `:name` become psycopg's `%s` and `%(name)s`
  (and a literal `%` becomes `%%`);
- `group_concat(x[, sep])` becomes `string_agg(CAST(x AS TEXT), sep)`;
- the scalar `min(a, b)` and `max(a, b)` become `least` and `greatest`;
- `char(N)` becomes `chr(N)`, `ifnull` becomes `coalesce`, and
  `last_insert_rowid()` becomes `lastval()` (the id the connection's last
  INSERT drew, from its identity sequence);
- `IS ?` / `IS NOT ?` become `IS [NOT] DISTINCT FROM`;
- `LIKE` becomes `ILIKE` (SQLite's LIKE ignores ASCII case), and
  `COLLATE NOCASE` goes (addresses are stored in lower case; names sort by
  `lower()`).

A statement that has no equivalent this way (a SQLite function such as
`changes()`) is rewritten by hand in the PostgreSQL
backend's own method or SQL attribute (server/storage/postgres_overrides.py),
never here; `unsupported` names such functions in a statement.
"""

from __future__ import annotations

import re
from functools import lru_cache

_TOKEN = re.compile(
    r"""
    (?P<string>'(?:[^']|'')*')
  | (?P<quoted>"(?:[^"]|"")*")
  | (?P<numbered>\?\d+)
  | (?P<positional>\?)
  | (?P<cast>::)
  | (?P<named>(?<![:\w]):[A-Za-z_]\w*)
  | (?P<percent>%)
  | (?P<word>[A-Za-z_]\w*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_UNSUPPORTED = re.compile(r"\b(changes|julianday|strftime|printf|json\w*)\s*\(", re.I)


def unsupported(sql: str) -> list[str]:
    """SQLite functions in `sql` that have no PostgreSQL spelling here."""
    return sorted({m[1].lower() for m in _UNSUPPORTED.finditer(_strip_strings(sql))})


def _strip_strings(sql: str) -> str:
    return re.sub(r"'(?:[^']|'')*'", "''", sql)


@lru_cache(maxsize=4096)
def to_postgres(sql: str) -> str:
    """`sql` in PostgreSQL's spelling (see the module's docstring)."""
    out: list[str] = []
    for match in _TOKEN.finditer(sql):
        kind, text = match.lastgroup, match.group()
        if kind == "positional":
            out.append("%s")
        elif kind == "numbered":
            out.append(f"%(p{text[1:]})s")
        elif kind == "named":
            out.append(f"%({text[1:]})s")
        elif kind == "percent":
            out.append("%%")
        elif kind == "word":
            out.append(_word(text))
        else:
            out.append(text)
    return _rewrite_calls("".join(out))


_WORDS = {"ifnull": "coalesce", "like": "ILIKE", "last_insert_rowid": "lastval"}


def _word(word: str) -> str:
    return _WORDS.get(word.lower(), word)


_IS_PARAM = re.compile(r"\bIS\s+(NOT\s+)?(?=%s|%\(\w+\)s)", re.I)
_NOCASE = re.compile(r"\s+COLLATE\s+NOCASE\b", re.I)
_CHAR = re.compile(r"\bchar\((\d+)\)", re.I)


def _rewrite_calls(sql: str) -> str:
    sql = _IS_PARAM.sub(lambda m: "IS NOT DISTINCT FROM " if not m[1] else "IS DISTINCT FROM ", sql)
    sql = re.sub(r"ORDER BY\s+([\w.]+)\s+COLLATE\s+NOCASE", r"ORDER BY lower(\1)", sql, flags=re.I)
    sql = _NOCASE.sub("", sql)
    sql = _CHAR.sub(r"chr(\1)", sql)
    sql = _scalar_extremes(sql)
    return _group_concat(sql)


_EXTREME = re.compile(r"\b(min|max)\(", re.I)


def _scalar_extremes(sql: str) -> str:
    """min(a, b) and max(a, b), SQLite's scalar forms, become least() and greatest()."""
    position = 0
    while match := _EXTREME.search(sql, position):
        _, comma = _call_end(sql, match.end() - 1)
        if comma is not None:
            name = "least" if match[1].lower() == "min" else "greatest"
            sql = sql[: match.start()] + name + sql[match.end() - 1 :]
        position = match.start() + 1
    return sql


def _group_concat(sql: str) -> str:
    """group_concat(x) → string_agg(CAST(x AS TEXT), ','); group_concat(x, s) likewise."""
    lowered = sql.lower()
    start = lowered.find("group_concat(")
    while start != -1:
        open_at = start + len("group_concat")
        close_at, comma = _call_end(sql, open_at)
        if comma is None:
            value, separator = sql[open_at + 1 : close_at], "','"
        else:
            value, separator = sql[open_at + 1 : comma], sql[comma + 1 : close_at].strip()
        replacement = f"string_agg(CAST({value.strip()} AS TEXT), {separator})"
        sql = sql[:start] + replacement + sql[close_at + 1 :]
        lowered = sql.lower()
        start = lowered.find("group_concat(", start + len(replacement))
    return sql


def _call_end(sql: str, open_at: int) -> tuple[int, int | None]:
    """The index of the parenthesis closing the call opened at `open_at`, and of its
    first top-level comma, if any."""
    depth, comma, quoted = 0, None, False
    for index in range(open_at, len(sql)):
        char = sql[index]
        if char == "'":
            quoted = not quoted
        elif quoted:
            continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index, comma
        elif char == "," and depth == 1 and comma is None:
            comma = index
    raise ValueError(f"unbalanced parentheses in: {sql}")


def numbered_params(sql: str, params: tuple | list) -> dict[str, object] | tuple | list:
    """`?1`-style parameters as the dict psycopg wants for `%(p1)s`."""
    if "?" in sql and re.search(r"\?\d", sql):
        return {f"p{i}": value for i, value in enumerate(params, 1)}
    return params
