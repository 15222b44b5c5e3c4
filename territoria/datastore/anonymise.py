"""Anonymisation steps (issue 6): ``drop``, ``pseudonymise`` and ``generalise``, compiled into
the one SELECT of ``datastore/steps.py``, and the keyed pseudonyms they write.

A pseudonym is HMAC-SHA256 under a key the platform holds (``TERRITORIA_PSEUDONYM_KEY``),
derived per recipient when the step names one: a plain hash of a NIR is no anonymisation,
since the 10^13-odd valid NIRs (and far fewer for one birth month and département) can be
hashed and matched in minutes. The key travels as a ``PseudonymKeys`` object from the caller
to the planner and, as bound parameters, to DuckDB; it is never part of a step's JSON, a
schema or an error message.

Pseudonyms are the first 128 bits of the HMAC in hex (32 characters): among 10^8 distinct
values the chance of any collision is about n²/2^129 ≈ 1.5e-23 (birthday bound). Values are
normalised first (``normalise``): blanks (spaces, tabs, no-break spaces) removed and ASCII
letters upper-cased, so ``1 85 05 78 006 084 36`` and ``185057800608436`` (or ``2a``/``2A``)
share a pseudonym. The HMAC runs in DuckDB's own SQL (two ``sha256`` over the padded key,
RFC 2104), without numpy or pyarrow for a Python UDF. Per 10^6 NIRs: the HMAC alone 1.6 s on
an idle core (a plain sha256 0.55 s); with the normalisation, 13 s on 2 threads of a machine
shared with 7 busy workers (a plain sha256 there: 3 s).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from territoria.datastore.odsql.sql import Sql, quote_identifier

if TYPE_CHECKING:  # steps.py imports this module: the planner's type only, for mypy
    from territoria.datastore.steps import Column, Step
    from territoria.datastore.steps import _Planner as Planner

PSEUDONYM_HEX = 32  # 128 bits: see the module docstring for the collision bound
MIN_KEY_CHARS = 32
GRID_METRES = (10, 1_000_000)  # a 10 m to 1,000 km grid
METRES_PER_DEGREE = 111_320.0  # along a meridian (WGS 84, rounded): cells are ~square
MAX_BAND_EDGES = 50
# Removed before hashing: the blanks people type in identifiers, no-break spaces included.
BLANKS = " \t\n\r\f\v\u00a0\u2007\u202f"
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_RECIPIENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:@-]{0,99}")
_CASEFOLD = str.maketrans(_LOWER, _LOWER.upper(), BLANKS)


# --- keys and pseudonyms ------------------------------------------------------------------


def recipient_key(master: bytes, recipient: str) -> bytes:
    """The key of one recipient: HKDF-Expand (RFC 5869, one block) of ``master`` with the
    recipient's name as ``info``; ``""`` is the platform's own key. ``master`` is random (or a
    long secret), so HKDF's extract step adds nothing and is left out."""
    info = b"territoria-pseudonym\0" + recipient.encode()
    return hmac.new(master, info + b"\x01", hashlib.sha256).digest()


@dataclass(frozen=True)
class PseudonymKeys:
    """The platform's master key, as the steps receive it; ``repr`` never shows it."""

    master: bytes = field(repr=False)

    def for_recipient(self, recipient: str | None) -> bytes:
        return recipient_key(self.master, recipient or "")


def normalise(value: str) -> str:
    """``value`` as hashed: blanks removed, ASCII letters upper-cased (as the SQL does)."""
    return value.translate(_CASEFOLD)


def pseudonym(value: str, key: bytes) -> str:
    """The pseudonym of ``value`` under ``key``: 32 hex characters (128 bits of HMAC-SHA256)."""
    digest = hmac.new(key, normalise(value).encode(), hashlib.sha256).hexdigest()
    return digest[:PSEUDONYM_HEX]


def pseudonym_sql(text: Sql, key: bytes | None, where: str) -> Sql:
    """SQL of the pseudonym of ``text`` (a VARCHAR expression; NULL stays NULL) under ``key``.

    HMAC(K, m) = H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)), the pads bound as BLOB parameters. Without
    a key the SQL fails when it runs, naming ``where``: steps only checked need none.
    """
    if key is None:
        return Sql(f"error('{where}: no pseudonymisation key was given')")
    short = key if len(key) <= 64 else hashlib.sha256(key).digest()  # RFC 2104
    block = short.ljust(64, b"\0")
    inner = bytes(b ^ 0x36 for b in block)
    outer = bytes(b ^ 0x5C for b in block)
    normalised = _normalised_sql(text)
    return Sql.of(
        f"left(sha256({{}} || unhex(sha256({{}} || encode({{}})))), {PSEUDONYM_HEX})",
        Sql.param(outer),
        Sql.param(inner),
        normalised,
    )


def _normalised_sql(text: Sql) -> Sql:
    """SQL of ``normalise(text)``. An ASCII value (as many bytes as characters) takes the fast
    path, ``replace`` and ``upper`` (equal to Python's on ASCII); others ``translate``, exact but
    about five times slower than the HMAC itself (measured on 10^6 NIRs)."""
    ascii_blanks = [c for c in BLANKS if c.isascii()]
    fast = text
    for blank in ascii_blanks:
        fast = Sql.of(f"replace({{}}, chr({ord(blank)}), '')", fast)
    exact = Sql.of(f"translate({{}}, '{_LOWER}{BLANKS}', '{_LOWER.upper()}')", text)
    return Sql.of(
        "CASE WHEN strlen({}) = length({}) THEN upper({}) ELSE {} END", text, text, fast, exact
    )


def read_key_file(path: Path, *, create: bool) -> bytes:
    """The master key kept in ``path`` (64 hex characters), created there (mode 0600, in a
    0700 directory) when absent and ``create``; FileNotFoundError otherwise."""
    if not path.exists():
        if not create:
            raise FileNotFoundError(f"pseudonymisation key file {path} is missing")
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Written aside, then linked: two processes starting together keep the same key.
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32) + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return master_key(path.read_text())


def master_key(text: str) -> bytes:
    """The master key from its text (the setting or the file); ValueError if too short."""
    text = text.strip()
    if len(text) < MIN_KEY_CHARS:
        raise ValueError(f"a pseudonymisation key has at least {MIN_KEY_CHARS} characters")
    return text.encode()


# --- the steps, compiled ------------------------------------------------------------------


def plan_drop(planner: Planner, step: Step) -> None:
    """``{"op": "drop", "fields": [...]}``: the fields disappear from the version."""
    names = planner.names(step.get("fields"))
    kept = [(e, c) for e, c in planner.keep() if c.name not in names]
    if not kept:
        raise planner.error("a version keeps at least one field")
    planner.select(kept)


def plan_pseudonymise(planner: Planner, step: Step) -> None:
    """``{"op": "pseudonymise", "field": f, "recipient": r}``: ``f`` replaced by its keyed
    pseudonym (text), under the key of ``r`` when given."""
    column = planner.column(step.get("field"))
    if column.type in ("geo_point", "geo_shape", "geojson"):
        raise planner.error(f"'{column.name}' is a geometry: generalise it instead")
    recipient = step.get("recipient")
    if recipient is not None and not (
        isinstance(recipient, str) and _RECIPIENT.fullmatch(recipient)
    ):
        raise planner.error("'recipient' is a name of letters, digits and _.:@- (100 at most)")
    key = planner.keys.for_recipient(recipient) if planner.keys is not None else None
    text = Sql(f"CAST({quote_identifier(column.name).text} AS VARCHAR)")
    sql = pseudonym_sql(text, key, planner.where)
    planner.replace_column(column.name, sql, _retyped(column, "string"))


def plan_generalise(planner: Planner, step: Step) -> None:
    """``generalise`` with exactly one of ``to`` (month, year, commune), ``bands`` or ``grid``."""
    chosen = [k for k in ("to", "bands", "grid") if step.get(k) not in (None, "")]
    if len(chosen) != 1:
        raise planner.error("give one of 'to' (month, year, commune), 'bands' or 'grid'")
    if chosen == ["grid"]:
        _generalise_grid(planner, step)
    elif chosen == ["bands"]:
        _generalise_bands(planner, step)
    elif step.get("to") == "commune":
        _generalise_to_commune(planner, step)
    elif step.get("to") in ("month", "year"):
        _generalise_date(planner, step)
    else:
        raise planner.error("'to' is month, year or commune")


def _retyped(column: Column, type_: str) -> Column:
    # A new descriptor: the source's constraints and formats no longer describe the values.
    return replace(column, type=type_, origin=None)


def _generalise_date(planner: Planner, step: Step) -> None:
    column = planner.column(step.get("field"))
    name = quote_identifier(column.name).text
    if column.type in ("date", "datetime"):
        day = f"CAST({name} AS DATE)"
    elif column.type == "string":
        # Imported here: steps.py imports this module first.
        from territoria.datastore.readers.parsers import value_sql
        from territoria.datastore.steps import _text_parse

        value = value_sql(name)
        day = planner.converted(value, _text_parse("date", value), "a date", step).text
    else:
        raise planner.error(f"'{column.name}' is a {column.type} field, not a date")
    if step.get("to") == "month":
        sql, type_ = Sql(f"strftime({day}, '%Y-%m')"), "string"
    else:
        sql, type_ = Sql(f"CAST(year({day}) AS BIGINT)"), "integer"
    planner.replace_column(column.name, sql, _retyped(column, type_))


def read_bands(value: Any) -> int | list[int]:
    """A band width (2 to 1000) or strictly increasing edges, from JSON or the editor's text
    (``"10"``, ``"18, 25, 65"``); ValueError otherwise."""
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(",") if p.strip()]
        if not all(re.fullmatch(r"-?[0-9]{1,9}", p) for p in parts) or not parts:
            raise ValueError("'bands' is a width or a list of whole numbers")
        value = int(parts[0]) if len(parts) == 1 else [int(p) for p in parts]
    if isinstance(value, int) and not isinstance(value, bool):
        if not 2 <= value <= 1000:
            raise ValueError("a band width is between 2 and 1000")
        return value
    edges = value if isinstance(value, list) else None
    if not edges or len(edges) > MAX_BAND_EDGES:
        raise ValueError(f"'bands' is a width or 1 to {MAX_BAND_EDGES} edges")
    if not all(isinstance(e, int) and not isinstance(e, bool) for e in edges):
        raise ValueError("band edges are whole numbers")
    if any(b <= a for a, b in zip(edges, edges[1:], strict=False)):
        raise ValueError("band edges are strictly increasing")
    return list(edges)


def bands_sql(value: str, bands: int | list[int]) -> Sql:
    """The band label of the integer or number ``value``: ``20-29`` for a width of 10; with
    edges [18, 65]: ``<18``, ``18-64``, ``65+``. Only our integers become SQL text."""
    whole = f"CAST(floor({value}) AS BIGINT)"
    if isinstance(bands, int):
        start = f"(floor({value} / {bands}) * {bands})::BIGINT"
        return Sql(f"CAST({start} AS VARCHAR) || '-' || CAST({start} + {bands - 1} AS VARCHAR)")
    cases = [f"WHEN {whole} < {bands[0]} THEN '<{bands[0]}'"]
    for low, high in zip(bands, bands[1:], strict=False):
        label = f"{low}-{high - 1}" if high - 1 > low else str(low)
        cases.append(f"WHEN {whole} < {high} THEN '{label}'")
    return Sql(f"CASE WHEN {value} IS NULL THEN NULL {' '.join(cases)} ELSE '{bands[-1]}+' END")


def _generalise_bands(planner: Planner, step: Step) -> None:
    column = planner.column(step.get("field"))
    if column.type not in ("integer", "number"):
        raise planner.error(f"'{column.name}' is a {column.type} field: cast it to a number first")
    try:
        bands = read_bands(step.get("bands"))
    except ValueError as error:
        raise planner.error(str(error)) from None
    sql = bands_sql(quote_identifier(column.name).text, bands)
    planner.replace_column(column.name, sql, _retyped(column, "string"))


def grid_sql(lat: str, lon: str, metres: int) -> tuple[Sql, Sql]:
    """The centre of the ``metres`` grid cell holding (``lat``, ``lon``): rows of cells
    ``metres`` high along the meridian, each row cut into cells ``metres`` wide at its
    centre's latitude, so that a cell is about a square of that side anywhere in France."""
    step = metres / METRES_PER_DEGREE
    lat_c = f"((floor({lat} / {step!r}) + 0.5) * {step!r})"
    width = f"({metres!r} / ({METRES_PER_DEGREE!r} * greatest(cos(radians({lat_c})), 1e-6)))"
    lon_c = f"((floor({lon} / {width}) + 0.5) * {width})"
    both_known = f"{lat} IS NOT NULL AND {lon} IS NOT NULL"
    return (
        Sql(f"CASE WHEN {both_known} THEN round({lat_c}, 6) END"),
        Sql(f"CASE WHEN {both_known} THEN round({lon_c}, 6) END"),
    )


def _coordinates(planner: Planner, names: Sequence[Any]) -> tuple[Column, Column]:
    columns = [planner.column(name) for name in names]
    for column in columns:
        if column.type not in ("number", "integer"):
            raise planner.error(f"'{column.name}' is a {column.type} field, not a coordinate")
    if len(columns) != 2 or columns[0].name == columns[1].name:
        raise planner.error("give the latitude and the longitude fields, in that order")
    return columns[0], columns[1]


def _generalise_grid(planner: Planner, step: Step) -> None:
    fields = step.get("fields")
    lat, lon = _coordinates(planner, fields if isinstance(fields, list) else [])
    grid = step.get("grid")
    if isinstance(grid, str) and grid.strip().isdigit():
        grid = int(grid.strip())
    low, high = GRID_METRES
    if not isinstance(grid, int) or isinstance(grid, bool) or not low <= grid <= high:
        raise planner.error(f"'grid' is a cell side in metres, {low} to {high}")
    lat_sql, lon_sql = grid_sql(
        quote_identifier(lat.name).text, quote_identifier(lon.name).text, grid
    )
    new = {lat.name: lat_sql, lon.name: lon_sql}
    planner.select(
        [
            (new[c.name], _retyped(c, "number")) if c.name in new else (e, c)
            for e, c in planner.keep()
        ]
    )


def _generalise_to_commune(planner: Planner, step: Step) -> None:
    """The coordinates replaced by the centre of the row's commune (INSEE code ``field``), as
    the referential gives it; a code it does not know (or a commune without centre) leaves
    them empty, never exact."""
    from territoria.datastore.steps import _ROW, _insee_code_sql  # steps.py imports us first

    if planner.referential is None or not planner.referential.is_file():
        raise planner.error(
            "the territorial referential is not built (run `territoria referential build`)"
        )
    code_column = planner.column(step.get("field"))
    code = _insee_code_sql(quote_identifier(code_column.name).text, code_column.type)
    if code is None:
        raise planner.error(f"'{code_column.name}' is a {code_column.type} field, not a code")
    names = [step.get("latitude", "latitude"), step.get("longitude", "longitude")]
    lat, lon = _coordinates(planner, names)
    centre = {lat.name: '_r."__lat"', lon.name: '_r."__lon"'}
    items = [
        f"{centre.get(c.name, '_s.' + quote_identifier(c.name).text)} AS "
        f"{quote_identifier(c.name).text}"
        for c in planner.columns
    ]
    planner.sql = Sql.of(
        f'SELECT {", ".join(items)}, _s."{_ROW}" '
        f"FROM (SELECT *, {code} AS __code FROM ({{}}) AS _q) AS _s LEFT JOIN "
        '(SELECT code AS __ref_code, latitude AS "__lat", longitude AS "__lon" '
        "FROM read_parquet({})) AS _r ON _r.__ref_code = _s.__code",
        planner.sql,
        Sql.param(str(planner.referential)),
    )
    planner.columns = [_retyped(c, "number") if c.name in centre else c for c in planner.columns]
