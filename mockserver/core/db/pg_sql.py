"""SQLite-flavoured SQL -> PostgreSQL text, so core/store keeps one statement per query for both backends.

The store writes `?` / `:name` placeholders and a few SQLite idioms; the PostgreSQL connection passes every
statement through `translate` (cached per text), which rewrites only what the store actually uses. What is
not listed here must be written portably in the store itself (e.g. `INSERT ... ON CONFLICT`).
"""

from __future__ import annotations

import re
from functools import lru_cache

# json_each over a JSON array parameter: rows (value, key) as SQLite gives them (key = 0-based index).
_JSON_EACH = re.compile(r"json_each\((\?|:\w+)\)(\s+(?:AS\s+)?(?!WHERE\b|ON\b|JOIN\b|ORDER\b|GROUP\b|LIMIT\b)(\w+))?",
                        re.IGNORECASE)
_SUBSTR_FROM_END = re.compile(r"substr\(([\w.]+),\s*-", re.IGNORECASE)
_PRAGMA_TABLE_INFO = re.compile(r"PRAGMA table_info\((\w+)\)", re.IGNORECASE)
_OR_IGNORE = re.compile(r"INSERT OR IGNORE INTO", re.IGNORECASE)
_RETURNING = re.compile(r"\sRETURNING\s", re.IGNORECASE)
_SCALAR_MIN = re.compile(r"\b(min|max)\(([^(),]+),", re.IGNORECASE)
_CROSS_JOIN_ON = re.compile(r"CROSS JOIN (\w+(?:\s+\w+)?)\s+ON\b", re.IGNORECASE)
_SQLITE_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table'"


def _json_each(match: re.Match) -> str:
    alias = match.group(3) or "je"
    return (f"(SELECT t.value, t.ord - 1 AS key FROM json_array_elements_text(CAST({match.group(1)} AS json)) "
            f"WITH ORDINALITY AS t(value, ord)) AS {alias}")


def _rewrite(sql: str) -> str:
    """The SQLite idioms the store uses, in PostgreSQL's words (placeholders untouched)."""
    if sql == _SQLITE_TABLES:
        return "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
    sql = _PRAGMA_TABLE_INFO.sub(
        r"SELECT ordinal_position - 1, column_name FROM information_schema.columns "
        r"WHERE table_schema = current_schema() AND table_name = '\1' ORDER BY ordinal_position", sql)
    sql = _JSON_EACH.sub(_json_each, sql)
    sql = _SUBSTR_FROM_END.sub(r"right(\1, ", sql)
    sql = re.sub(r"\bjson_group_array\(", "json_agg(", sql, flags=re.IGNORECASE)
    # SQLite's two-argument min/max are scalar; PostgreSQL spells them LEAST/GREATEST.
    sql = _SCALAR_MIN.sub(lambda m: ("LEAST(" if m.group(1).lower() == "min" else "GREATEST(") + m.group(2) + ",", sql)
    # CROSS JOIN ... ON is SQLite's "join in this order" hint; PostgreSQL's planner orders joins itself.
    sql = _CROSS_JOIN_ON.sub(r"JOIN \1 ON", sql)
    sql = re.sub(r"\sLIKE\s", " ILIKE ", sql)  # SQLite's LIKE ignores ASCII case; the store relies on it
    if _OR_IGNORE.search(sql):
        sql = _OR_IGNORE.sub("INSERT INTO", sql)
        ret = _RETURNING.search(sql)
        sql = (sql + " ON CONFLICT DO NOTHING" if ret is None
               else sql[:ret.start()] + " ON CONFLICT DO NOTHING" + sql[ret.start():])
    return sql


def _placeholders(sql: str, with_params: bool) -> str:
    """`?` -> %s and `:name` -> %(name)s outside quotes; a literal % doubles when psycopg formats."""
    out, i, n = [], 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in ("'", '"'):
            end = sql.find(ch, i + 1)
            while end != -1 and end + 1 < n and sql[end + 1] == ch:  # '' inside a literal
                end = sql.find(ch, end + 2)
            end = n - 1 if end == -1 else end
            chunk = sql[i:end + 1]
            out.append(chunk.replace("%", "%%") if with_params else chunk)
            i = end + 1
            continue
        if ch == "?":
            out.append("%s")
        elif ch == ":" and i + 1 < n and sql[i + 1] == ":":
            out.append("::")  # a PostgreSQL cast, not a named parameter
            i += 2
            continue
        elif ch == ":" and i + 1 < n and (sql[i + 1].isalpha() or sql[i + 1] == "_"):
            j = i + 1
            while j < n and (sql[j].isalnum() or sql[j] == "_"):
                j += 1
            out.append(f"%({sql[i + 1:j]})s")
            i = j
            continue
        elif ch == "%" and with_params:
            out.append("%%")
        else:
            out.append(ch)
        i += 1
    return "".join(out)


@lru_cache(maxsize=4096)
def translate(sql: str, with_params: bool = True) -> str:
    return _placeholders(_rewrite(sql), with_params)
