"""The storage layer's SQL as PostgreSQL reads it (server/storage/dialect.py)."""

from __future__ import annotations

from server.storage.dialect import numbered_params, to_postgres, unsupported


def test_placeholders_become_psycopgs() -> None:
    assert to_postgres("SELECT a FROM t WHERE b = ? AND c = ?") == (
        "SELECT a FROM t WHERE b = %s AND c = %s"
    )
    assert to_postgres("SELECT :since, x::text FROM t WHERE y = :y") == (
        "SELECT %(since)s, x::text FROM t WHERE y = %(y)s"
    )
    assert to_postgres("SELECT 1 WHERE a LIKE ?1 OR b LIKE ?1") == (
        "SELECT 1 WHERE a ILIKE %(p1)s OR b ILIKE %(p1)s"
    )
    assert numbered_params("a LIKE ?1", ("%x%",)) == {"p1": "%x%"}
    assert numbered_params("a = ?", ("x",)) == ("x",)


def test_strings_and_percent_signs_are_kept_as_written() -> None:
    assert to_postgres("SELECT 'a ? b :c', 5 % 2 FROM t") == "SELECT 'a ? b :c', 5 %% 2 FROM t"
    assert to_postgres("SELECT 'it''s ?' WHERE x = ?") == "SELECT 'it''s ?' WHERE x = %s"


def test_functions_and_operators_that_differ() -> None:
    assert to_postgres("SELECT group_concat(role) FROM r") == (
        "SELECT string_agg(CAST(role AS TEXT), ',') FROM r"
    )
    assert to_postgres("SELECT group_concat(p.module_id || char(31) || p.x, char(30))") == (
        "SELECT string_agg(CAST(p.module_id || chr(31) || p.x AS TEXT), chr(30))"
    )
    assert to_postgres("SELECT max(CASE WHEN n < f THEN 0.0 ELSE l + min(b * 2, c) END)") == (
        "SELECT max(CASE WHEN n < f THEN 0.0 ELSE l + least(b * 2, c) END)"
    )
    assert to_postgres("SELECT MAX(COALESCE(x, 0), y), min(z) FROM t") == (
        "SELECT greatest(COALESCE(x, 0), y), min(z) FROM t"
    )
    assert to_postgres("SELECT ifnull(a, 0) FROM t") == "SELECT coalesce(a, 0) FROM t"
    assert to_postgres("DELETE FROM s WHERE u = ? AND h IS NOT ?") == (
        "DELETE FROM s WHERE u = %s AND h IS DISTINCT FROM %s"
    )
    assert to_postgres("SELECT 1 WHERE h IS ?") == "SELECT 1 WHERE h IS NOT DISTINCT FROM %s"
    assert to_postgres("SELECT 1 WHERE h IS NULL") == "SELECT 1 WHERE h IS NULL"
    assert to_postgres("SELECT n FROM u ORDER BY u.name COLLATE NOCASE, u.id") == (
        "SELECT n FROM u ORDER BY lower(u.name), u.id"
    )
    assert to_postgres("SELECT 1 WHERE e = :email COLLATE NOCASE") == (
        "SELECT 1 WHERE e = %(email)s"
    )


def test_sqlite_only_functions_are_named() -> None:
    assert unsupported("UPDATE r SET o = last_insert_rowid() WHERE changes() = 1") == ["changes"]
    assert unsupported("SELECT json_object('a', 1)") == ["json_object"]
    assert to_postgres("UPDATE r SET o = last_insert_rowid()") == "UPDATE r SET o = lastval()"
    assert unsupported("SELECT 'changes()'") == []
