"""A GTFS feed's report read by people: the datastore gives codes, files, lines and fields
(``datastore/readers/gtfs.py``), this module gives the sentences, translated (French first).

Issues of one kind on one field of one file are grouped, with the lines named by the report
(the first few) and how many there are in all. The report holds no value of the data, only
places: whoever sees the dataset may read it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from territoria.datastore.readers.gtfs import REFERENCES

TITLES = {
    "missing_value": gettext_lazy("Required value left blank"),
    "unknown_reference": gettext_lazy("Unknown reference"),
    "invalid_file": gettext_lazy("Unreadable file"),
    "missing_file": gettext_lazy("Required file missing"),
    "missing_field": gettext_lazy("Required field missing"),
    "empty_file": gettext_lazy("Empty file"),
}
WARNINGS = {
    "unknown_file": gettext_lazy("not in the GTFS reference: kept as a table."),
    "ignored_file": gettext_lazy("not a GTFS file: ignored."),
    "files_in_folder": gettext_lazy("the files are in this folder of the ZIP, not at its root."),
    "empty_file": gettext_lazy("empty file: ignored."),
}
TARGETS = {(file, field): target for file, field, target, _key in REFERENCES}


def readable_gtfs_report(report: dict[str, Any] | None) -> dict[str, Any] | None:
    """The feed's report with its sentences; None when the version is not from a GTFS feed."""
    if not isinstance(report, dict) or "errors" not in report:
        return None
    errors = _grouped(report.get("errors") or [])
    warnings = [
        {"file": issue.get("file") or "", "message": _warning(issue)}
        for issue in report.get("warnings") or []
    ]
    return {
        "valid": not errors,
        "error_count": sum(group["count"] for group in errors),
        "errors": errors,
        "warnings": warnings,
        "rows": sorted((report.get("rows") or {}).items()),
    }


def _grouped(issues: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per (code, file, field): its lines named and its count in all."""
    groups: dict[tuple[str, str, str], dict[str, Any]] = {}
    for issue in issues:
        code, file, field = issue.get("code", ""), issue.get("file", ""), issue.get("field") or ""
        group = groups.setdefault(
            (code, file, field),
            {
                "code": code,
                "file": file,
                "field": field,
                "title": TITLES.get(code, code),
                "message": _message(issue),
                "lines": [],
                "count": 0,
            },
        )
        if issue.get("line") is not None:
            group["lines"].append(issue["line"])
        # A "N more lines" entry carries the total; the others count one each.
        group["count"] = max(group["count"], int(issue.get("count") or len(group["lines"]) or 1))
    return list(groups.values())


def _message(issue: dict[str, Any]) -> str:
    code, file, field = issue.get("code"), issue.get("file", ""), issue.get("field") or ""
    values = {"file": file, "field": field, "target": TARGETS.get((file, field), "")}
    if code == "missing_value":
        return _("%(field)s is required by the GTFS reference but left blank.") % values
    if code == "unknown_reference" and values["target"]:
        return _("the value of %(field)s is not found in %(target)s.") % values
    if code == "invalid_file":
        return _("the file cannot be read as CSV.")
    if code == "missing_file":
        return _("%(file)s is required by the GTFS reference.") % values
    if code == "missing_field":
        return _("%(file)s has no field %(field)s, required by the GTFS reference.") % values
    return str(issue.get("message") or code)


def _warning(issue: dict[str, Any]) -> str:
    sentence = WARNINGS.get(issue.get("code", ""))
    return str(sentence) if sentence is not None else str(issue.get("message") or "")
