"""``/api/3/action/<name>`` (and ``/api/action/<name>``, the path the ``ckanapi`` client uses).

One route per action, so the route inventory of the governance tests reaches each of them.
CKAN's write actions answer ``Authorization Error`` (this dialect reads; writes go through the
management API ``/api/1/``) and an unknown name ``Bad Request``, as CKAN answers both.
"""

from django.http import HttpRequest, JsonResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from territoria.api.ckan import datastore, packages
from territoria.api.ckan.envelope import (
    ActionError,
    NotAuthorized,
    NotFound,
    Params,
    action,
    refusal,
)

app_name = "ckan"

ACTIONS = [
    packages.status_show,
    packages.package_list,
    packages.package_show,
    packages.package_search,
    packages.resource_show,
    packages.organization_list,
    packages.organization_show,
    packages.group_list,
    packages.tag_list,
    datastore.datastore_search,
    datastore.datastore_search_sql,
]


@action("help_show")
def help_show(request: HttpRequest, params: Params) -> str:
    """The documentation of an action (``name``), as CKAN gives its docstring."""
    name = params.required("name")
    view = next((v for v in ACTIONS if v.ckan_action == name), None)
    if view is None:
        raise NotFound(f"Action {name!r} not found")
    return " ".join((view.__doc__ or name).split())


ACTIONS.append(help_show)

WRITE_ACTIONS = tuple(
    f"{kind}_{verb}"
    for kind in ("package", "resource", "organization", "group")
    for verb in ("create", "update", "patch", "delete")
) + ("datastore_create", "datastore_upsert", "datastore_delete")


@csrf_exempt
def other_action(request: HttpRequest, name: str) -> JsonResponse:
    """CKAN's write actions: refused (this dialect reads); any other name: not known."""
    if name in WRITE_ACTIONS:
        message = f"{name}: this CKAN API reads only; write through /api/1/ (see /api/1/docs)"
        return refusal(request, name, NotAuthorized(message))
    error = ActionError(f"Bad request - Action name not known: {name}")
    return refusal(request, name, error)


urlpatterns = [
    *(path(view.ckan_action, view, name=view.ckan_action) for view in ACTIONS),
    # An unnamed group: any other name (the route inventory's URL, its pattern, lands here).
    re_path(r"^(.+)$", other_action),
]
