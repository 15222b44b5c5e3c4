"""What changed between two versions of a table: rows added, removed and changed, on a key.

The two Parquet files are joined by DuckDB inside the sandbox of their version store, every
statement under one time budget (``engine.Session``); Python receives counts and a sample of
a few rows, never the tables. Versions are immutable, so a diff of two keys never changes.

Rows are matched on a key column that is unique and never empty in both versions: the one
asked for, or by default the first such column. With no such column, rows are compared whole
(a row of the new version that has no identical row in the old one is "added", and the
other way round "removed"; nothing is "changed"). Only the columns the two versions share
are compared; columns added or removed, or whose type changed, are listed apart. A column
whose type changed is compared as text (``1`` and ``"1"`` are the same value).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from territoria.datastore.engine import Session
from territoria.datastore.errors import QueryError
from territoria.datastore.exports import json_value
from territoria.datastore.odsql.sql import Sql, quote_identifier, quote_string
from territoria.datastore.versions import VersionInfo

DEFAULT_SAMPLE = 10
MAX_SAMPLE = 100
# Types that make poor keys: values that are rarely unique, or that cannot be compared.
UNKEYABLE_TYPES = frozenset({"boolean", "number", "geojson", "geopoint", "object", "array"})
# Columns whose uniqueness is checked per statement when looking for the default key: most
# tables have their identifier among the first columns, and each checked column costs a
# COUNT(DISTINCT) over both files.
UNIQUENESS_BATCH = 8


class DiffError(QueryError):
    """The diff cannot be computed as asked. ``code``: ``unknown-key`` (not a column of both
    versions), ``key-not-unique`` (empty or repeated somewhere), ``sample`` (out of range),
    ``stores`` (versions of two different stores)."""

    def __init__(
        self, message: str, *, code: str, param: str | None = None, field: str | None = None
    ):
        super().__init__(message, param=param, field=field)
        self.code = code


@dataclass(frozen=True)
class VersionDiff:
    """Counts and samples of the difference from ``old_key`` to ``new_key``.

    ``key``: the column rows were matched on, None when rows were compared whole.
    Samples are JSON-able dicts: ``added``/``removed`` rows by field name; ``changed`` rows
    as ``{"key": value, "changes": [{"field", "old", "new"}]}``.
    """

    old_key: str
    new_key: str
    key: str | None
    old_rows: int
    new_rows: int
    added: int
    removed: int
    changed: int
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)
    columns_retyped: list[dict[str, str]] = field(default_factory=list)
    changed_columns: list[dict[str, Any]] = field(default_factory=list)  # {"name", "count"}
    added_sample: list[dict[str, Any]] = field(default_factory=list)
    removed_sample: list[dict[str, Any]] = field(default_factory=list)
    changed_sample: list[dict[str, Any]] = field(default_factory=list)

    @property
    def unchanged(self) -> int:
        """Rows of the new version found identical in the old one."""
        return self.new_rows - self.added - self.changed

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["unchanged"] = self.unchanged
        return data


def _types(version: VersionInfo) -> dict[str, str]:
    return {f["name"]: str(f.get("type", "string")) for f in version.fields}


def key_candidates(old: VersionInfo, new: VersionInfo) -> list[str]:
    """Columns of both versions that may serve as a key, in the new version's order."""
    old_types = _types(old)
    return [
        name
        for name, kind in _types(new).items()
        if name in old_types
        and kind not in UNKEYABLE_TYPES
        and old_types[name] not in UNKEYABLE_TYPES
    ]


def diff_versions(
    old: VersionInfo,
    new: VersionInfo,
    *,
    key: str | None = None,
    sample: int = DEFAULT_SAMPLE,
    timeout: float = 10.0,
) -> VersionDiff:
    """Compare ``old`` with ``new`` on the column ``key`` (None: the default key).

    Raises DiffError if ``key`` is not a column of both versions or is not unique in one of
    them, QueryTimeout when the ``timeout`` (seconds, for all statements) is spent.
    """
    if not 0 <= sample <= MAX_SAMPLE:
        raise DiffError(f"sample: between 0 and {MAX_SAMPLE} rows", code="sample", param="sample")
    if old.parquet.resolve().parent.parent != new.parquet.resolve().parent.parent:
        raise DiffError("the two versions belong to different stores", code="stores")
    old_types, new_types = _types(old), _types(new)
    common = [name for name in new_types if name in old_types]
    with Session(new.parquet, timeout) as session:
        if key is None:
            key = _first_unique(session, old, new, key_candidates(old, new))
        else:
            _check_key(session, old, new, key, common)
        pairs = _Pairs(old, new, common, key)
        if key is None:
            counts = _whole_row_counts(session, pairs, sample)
        else:
            counts = _keyed_counts(session, pairs, sample)
    return VersionDiff(
        old_key=old.key,
        new_key=new.key,
        key=key,
        old_rows=old.row_count,
        new_rows=new.row_count,
        columns_added=[n for n in new_types if n not in old_types],
        columns_removed=[n for n in old_types if n not in new_types],
        columns_retyped=[
            {"name": n, "old": old_types[n], "new": new_types[n]}
            for n in common
            if old_types[n] != new_types[n]
        ],
        **counts,
    )


def _source(version: VersionInfo) -> str:
    # The path is ours (a version of the store), never user input.
    return f"read_parquet({quote_string(str(Path(version.parquet).resolve()))})"


def _unique_columns(session: Session, version: VersionInfo, names: Sequence[str]) -> set[str]:
    """Those of ``names`` that are unique and never null in ``version``."""
    counts = Sql.join(
        ", ",
        (
            Sql.of("count(DISTINCT {}), count({})", col, col)
            for col in (quote_identifier(n) for n in names)
        ),
    )
    row = session.fetchall(Sql.of("SELECT count(*), {} FROM " + _source(version), counts))[0]
    total = int(row[0])
    return {
        name
        for index, name in enumerate(names)
        if int(row[1 + 2 * index]) == total and int(row[2 + 2 * index]) == total
    }


def _first_unique(
    session: Session, old: VersionInfo, new: VersionInfo, candidates: list[str]
) -> str | None:
    for start in range(0, len(candidates), UNIQUENESS_BATCH):
        batch = candidates[start : start + UNIQUENESS_BATCH]
        unique = _unique_columns(session, new, batch)
        if unique:
            unique &= _unique_columns(session, old, [n for n in batch if n in unique])
        for name in batch:
            if name in unique:
                return name
    return None


def _check_key(
    session: Session, old: VersionInfo, new: VersionInfo, key: str, common: list[str]
) -> None:
    if key not in common:
        raise DiffError(
            f"on: '{key}' is not a column of both versions",
            code="unknown-key",
            param="on",
            field=key,
        )
    for label, version in (("old", old), ("new", new)):
        if key not in _unique_columns(session, version, [key]):
            raise DiffError(
                f"on: '{key}' is empty or repeated in some rows of the {label} version: "
                "choose a column that identifies each row",
                code="key-not-unique",
                param="on",
                field=key,
            )


class _Pairs:
    """The compared columns, each as the SQL expression read from ``o`` (old) and ``n`` (new)."""

    def __init__(self, old: VersionInfo, new: VersionInfo, common: list[str], key: str | None):
        self.old, self.new, self.key = old, new, key
        self.old_types, self.new_types = _types(old), _types(new)
        self.old_fields = list(self.old_types)
        self.new_fields = list(self.new_types)
        self.compared = [n for n in common if n != key]

    def side(self, alias: str, name: str) -> Sql:
        """Column ``name`` of ``alias``; as text when its type differs between the versions."""
        column = Sql.of(alias + ".{}", quote_identifier(name))
        if self.old_types[name] != self.new_types[name]:
            return Sql.of("CAST({} AS VARCHAR)", column)
        return column

    def distinct(self, name: str) -> Sql:
        return Sql.of("{} IS DISTINCT FROM {}", self.side("o", name), self.side("n", name))

    def any_distinct(self) -> Sql:
        if not self.compared:
            return Sql("false")
        return Sql.join(" OR ", (self.distinct(name) for name in self.compared))

    def join_on(self) -> Sql:
        assert self.key is not None
        return Sql.of("{} = {}", self.side("o", self.key), self.side("n", self.key))

    def columns(self, alias: str, names: list[str]) -> Sql:
        return Sql.join(", ", (Sql.of(alias + ".{}", quote_identifier(n)) for n in names))


def _keyed_counts(session: Session, pairs: _Pairs, sample: int) -> dict[str, Any]:
    assert pairs.key is not None
    key = quote_identifier(pairs.key)
    both = Sql.of("o.{} IS NOT NULL AND n.{} IS NOT NULL", key, key)
    per_column = [
        Sql.of(", count(*) FILTER (WHERE {} AND {})", both, pairs.distinct(name))
        for name in pairs.compared
    ]
    joined = Sql.of(
        f"FROM {_source(pairs.old)} AS o FULL OUTER JOIN {_source(pairs.new)} AS n ON {{}}",
        pairs.join_on(),
    )
    totals = Sql.of(
        "SELECT count(*) FILTER (WHERE o.{} IS NULL), count(*) FILTER (WHERE n.{} IS NULL), "
        "count(*) FILTER (WHERE {} AND ({})){} {}",
        key,
        key,
        both,
        pairs.any_distinct(),
        Sql.join("", per_column),
        joined,
    )
    row = session.fetchall(totals)[0]
    added, removed, changed = (int(v) for v in row[:3])
    changed_columns = [
        {"name": name, "count": int(count)}
        for name, count in zip(pairs.compared, row[3:], strict=True)
        if count
    ]
    result: dict[str, Any] = {
        "added": added,
        "removed": removed,
        "changed": changed,
        "changed_columns": changed_columns,
    }
    if sample == 0:
        return result
    limit = Sql.param(sample)
    if added:
        rows = session.fetchall(
            Sql.of(
                "SELECT {} FROM {} AS n ANTI JOIN {} AS o ON {} ORDER BY n.{} LIMIT {}",
                pairs.columns("n", pairs.new_fields),
                Sql(_source(pairs.new)),
                Sql(_source(pairs.old)),
                pairs.join_on(),
                key,
                limit,
            )
        )
        result["added_sample"] = [_record(pairs.new_fields, r) for r in rows]
    if removed:
        rows = session.fetchall(
            Sql.of(
                "SELECT {} FROM {} AS o ANTI JOIN {} AS n ON {} ORDER BY o.{} LIMIT {}",
                pairs.columns("o", pairs.old_fields),
                Sql(_source(pairs.old)),
                Sql(_source(pairs.new)),
                pairs.join_on(),
                key,
                limit,
            )
        )
        result["removed_sample"] = [_record(pairs.old_fields, r) for r in rows]
    if changed:
        result["changed_sample"] = _changed_sample(session, pairs, limit)
    return result


def _changed_sample(session: Session, pairs: _Pairs, limit: Sql) -> list[dict[str, Any]]:
    assert pairs.key is not None
    key = quote_identifier(pairs.key)
    names = pairs.compared
    values = Sql.join(
        ", ", (Sql.of("{}, {}", pairs.side("o", n), pairs.side("n", n)) for n in names)
    )
    rows = session.fetchall(
        Sql.of(
            "SELECT n.{}, {} FROM {} AS o JOIN {} AS n ON {} WHERE {} ORDER BY n.{} LIMIT {}",
            key,
            values,
            Sql(_source(pairs.old)),
            Sql(_source(pairs.new)),
            pairs.join_on(),
            pairs.any_distinct(),
            key,
            limit,
        )
    )
    sample = []
    for row in rows:
        changes = []
        for index, name in enumerate(names):
            before, after = row[1 + 2 * index], row[2 + 2 * index]
            if before != after:
                changes.append({"field": name, "old": _cell(before), "new": _cell(after)})
        sample.append({"key": _cell(row[0]), "changes": changes})
    return sample


def _whole_row_counts(session: Session, pairs: _Pairs, sample: int) -> dict[str, Any]:
    """Rows compared whole over the shared columns, as multisets (EXCEPT ALL keeps repeats)."""
    names = pairs.compared
    if not names:
        return {"added": pairs.new.row_count, "removed": pairs.old.row_count, "changed": 0}
    old_rows = Sql.of(f"SELECT {{}} FROM {_source(pairs.old)} AS o", _cast_all(pairs, "o"))
    new_rows = Sql.of(f"SELECT {{}} FROM {_source(pairs.new)} AS n", _cast_all(pairs, "n"))
    added_rows = Sql.of("({} EXCEPT ALL {})", new_rows, old_rows)
    removed_rows = Sql.of("({} EXCEPT ALL {})", old_rows, new_rows)
    row = session.fetchall(
        Sql.of(
            "SELECT (SELECT count(*) FROM {}), (SELECT count(*) FROM {})", added_rows, removed_rows
        )
    )[0]
    result: dict[str, Any] = {"added": int(row[0]), "removed": int(row[1]), "changed": 0}
    if sample:
        for name, rows_sql, count in (
            ("added_sample", added_rows, result["added"]),
            ("removed_sample", removed_rows, result["removed"]),
        ):
            if count:
                rows = session.fetchall(
                    Sql.of("SELECT * FROM {} ORDER BY ALL LIMIT {}", rows_sql, Sql.param(sample))
                )
                result[name] = [_record(names, r) for r in rows]
    return result


def _cast_all(pairs: _Pairs, alias: str) -> Sql:
    return Sql.join(
        ", ",
        (Sql.of("{} AS {}", pairs.side(alias, n), quote_identifier(n)) for n in pairs.compared),
    )


def _cell(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):  # geometries (WKB) and other binary cells
        return f"<{len(value)} bytes>"
    return json_value(value)


def _record(names: list[str], row: tuple[Any, ...]) -> dict[str, Any]:
    return {name: _cell(value) for name, value in zip(names, row, strict=True)}
