"""CKAN's envelope, its error types and its way of passing parameters (GET query or JSON body).

Every answer is ``{"help": …, "success": true, "result": …}`` or ``{"help": …, "success":
false, "error": {"__type": …, …}}``, with the status CKAN uses for the type: ``Not Found
Error`` 404 (also for what the gate hides: a private object is never confirmed),
``Validation Error`` 409 (field → messages, as CKAN's ``ValidationError``), ``Authorization
Error`` 403 (only for the write actions this read-only dialect does not serve), ``Search
Query Error`` 409, ``Search Error`` 503 (a query past its time budget) and ``Bad Request``
400. The ``ckanapi`` client turns each type back into its exception.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from territoria.datastore.errors import QueryError, QueryTimeout

Action = Callable[[HttpRequest, "Params"], Any]


class ActionError(Exception):
    status = 400
    kind = "Bad Request"

    def __init__(self, message: str = "", **fields: Any):
        super().__init__(message)
        self.message = message
        self.fields = fields

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"__type": self.kind}
        if self.message:
            body["message"] = self.message
        body.update(self.fields)
        return body


class NotFound(ActionError):
    status = 404
    kind = "Not Found Error"


class Invalid(ActionError):
    """CKAN's ValidationError: ``Invalid(id=["Missing value"])``."""

    status = 409
    kind = "Validation Error"


class NotAuthorized(ActionError):
    status = 403
    kind = "Authorization Error"


class SearchQueryError(ActionError):
    status = 409
    kind = "Search Query Error"


class SearchTimeout(ActionError):
    status = 503
    kind = "Search Error"


def help_url(request: HttpRequest, name: str) -> str:
    return request.build_absolute_uri(f"/api/3/action/help_show?name={name}")


def answer(request: HttpRequest, name: str, result: Any) -> JsonResponse:
    body = {"help": help_url(request, name), "success": True, "result": result}
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


def refusal(request: HttpRequest, name: str, error: ActionError) -> JsonResponse:
    body = {"help": help_url(request, name), "success": False, "error": error.body()}
    return JsonResponse(body, status=error.status, json_dumps_params={"ensure_ascii": False})


# Which CKAN parameter a query fault is about, by the engine's name for the clause.
QUERY_PARAMS = {"select": "fields", "order_by": "sort", "where": "filters", "sql": "sql"}


def action(name: str, *, query_params: dict[str, str] | None = None) -> Callable[[Action], Any]:
    """Make ``view(request, params)`` the CKAN action ``name``: GET or POST, the envelope,
    and the errors of the gate (404) and of the engine (409, 503) in CKAN's types."""
    faults = {**QUERY_PARAMS, **(query_params or {})}

    def decorate(view: Action) -> Any:
        @csrf_exempt  # reads only; a token, not a cookie, authenticates API clients
        @functools.wraps(view)
        def wrapped(request: HttpRequest) -> JsonResponse:
            try:
                if request.method not in ("GET", "POST", "HEAD"):
                    raise ActionError(f"Bad request - {request.method} is not allowed")
                return answer(request, name, view(request, Params.of(request)))
            except ActionError as error:
                return refusal(request, name, error)
            except Http404:
                return refusal(request, name, NotFound("Not found"))
            except QueryTimeout as error:
                message = f"Search took too long: {error}"
                return refusal(request, name, SearchTimeout(message))
            except QueryError as error:
                param = faults.get(error.param or "", error.param or "query")
                return refusal(request, name, Invalid(str(error), **{param: [str(error)]}))

        wrapped.ckan_action = name  # type: ignore[attr-defined]
        return wrapped

    return decorate


class Params:
    """An action's parameters, from the JSON body of a POST or the query string of a GET.

    CKAN passes lists and objects natively in JSON and as JSON text (or repeated keys) in a
    query string: each accessor accepts both.
    """

    def __init__(self, values: dict[str, Any]):
        self.values = values

    @classmethod
    def of(cls, request: HttpRequest) -> Params:
        if request.method == "POST":
            if request.content_type == "application/json" or not request.POST:
                raw = request.body.decode("utf-8", errors="replace").strip()
                try:
                    values = json.loads(raw) if raw else {}
                except ValueError as error:
                    raise ActionError(f"Bad request - JSON Error: {error}") from None
                if not isinstance(values, dict):
                    raise ActionError("Bad request - JSON Error: an object is expected")
                return cls(values)
            data = request.POST
        else:
            data = request.GET
        values: dict[str, Any] = {}
        for key in data:
            items = data.getlist(key)
            values[key] = items if len(items) > 1 else items[0]
        return cls(values)

    def __contains__(self, name: str) -> bool:
        return self.values.get(name) not in (None, "")

    def text(self, name: str, default: str = "") -> str:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, list | dict):
            raise Invalid(**{name: ["Must be a string"]})
        return str(value)

    def required(self, name: str) -> str:
        value = self.text(name).strip()
        if not value:
            raise Invalid(f"{name}: missing value", **{name: ["Missing value"]})
        return value

    def integer(
        self, name: str, default: int, *, minimum: int = 0, maximum: int | None = None
    ) -> int:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            number = int(value) if not isinstance(value, bool) else None
        except (TypeError, ValueError):
            number = None
        if number is None or number < minimum:
            raise Invalid(
                f"{name}: must be an integer of {minimum} or more",
                **{name: [f"Must be a natural number of {minimum} or more"]},
            )
        return number if maximum is None else min(number, maximum)

    def boolean(self, name: str, default: bool) -> bool:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "1", "yes", "on"):
            return True
        if text in ("false", "0", "no", "off"):
            return False
        raise Invalid(f"{name}: must be true or false", **{name: ["Must be a boolean"]})

    def structured(self, name: str) -> Any:
        """A list or object: native in JSON, or JSON text in a query string."""
        value = self.values.get(name)
        if isinstance(value, str):
            text = value.strip()
            if text[:1] in ("[", "{"):
                try:
                    return json.loads(text)
                except ValueError:
                    raise Invalid(f"{name}: invalid JSON", **{name: ["Invalid JSON"]}) from None
        return value

    def names(self, name: str) -> list[str]:
        """A list of names: a JSON list, repeated keys or comma-separated text."""
        value = self.structured(name)
        if value is None or value == "":
            return []
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return [v.strip() for v in value if v.strip()]
        raise Invalid(f"{name}: a list of names is expected", **{name: ["Must be a list"]})
