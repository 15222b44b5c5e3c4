"""``GET /jeux-de-donnees/suggestions?q=``: dataset titles for a search box's autocomplete.

CKAN's autocomplete listed private datasets to anyone (ckan/ckan#1580): suggestions here start
from the gate's ``visible_datasets`` and match with the catalog search's own folding
(``catalog.search.match_text``), so they can never name a dataset the search page would hide.
"""

from django.http import JsonResponse
from django.views.decorators.http import require_safe

from territoria.catalog.search import match_text, search_terms
from territoria.governance.gate import visible_datasets

MAX_SUGGESTIONS = 10
MAX_QUERY_LENGTH = 100


@require_safe
def suggestions(request):
    """``{"results": [{"slug", "title", "url"}…]}``, at most ten, by title; none without ``q``."""
    q = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    if not search_terms(q):
        return JsonResponse({"results": []})
    found = match_text(visible_datasets(request.user), q).order_by("title", "pk")
    results = [
        {"slug": d.slug, "title": d.title, "url": d.get_absolute_url()}
        for d in found[:MAX_SUGGESTIONS]
    ]
    return JsonResponse({"results": results})
