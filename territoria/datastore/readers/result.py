"""What a reader returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ReadResult:
    """The rows written and their Table Schema (see ``schema.py`` for the keys)."""

    row_count: int
    schema: dict[str, Any]
    source_format: str  # csv, parquet, json, jsonl
