"""Errors of the datastore core, written for the human who must fix the input."""

from __future__ import annotations


class DatastoreError(Exception):
    """Base class; ``str(error)`` is a one-line message fit to show a producer or a client."""


class IngestError(DatastoreError):
    """A source file could not become a version. Names the place of the fault when known.

    ``line`` is the 1-based physical line of the source file (the header is line 1).
    """

    def __init__(self, message: str, *, line: int | None = None, column: str | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class QueryError(DatastoreError):
    """A query parameter is malformed or names something that does not exist.

    ``param`` is the request parameter at fault (``where``, ``select``…), ``position`` the
    0-based character offset of the fault inside it, ``field`` an unknown field name.
    """

    def __init__(
        self,
        message: str,
        *,
        param: str | None = None,
        position: int | None = None,
        field: str | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.param = param
        self.position = position
        self.field = field


class QueryTimeout(QueryError):
    """The query ran past its time budget and was interrupted."""
