"""``{% may_request_more dataset as offer %}``: should the dataset page offer the signed-in
user to ask for access (``governance/_request_access.html``; rule in ``access_requests.py``)."""

from django import template

from territoria.governance.access_requests import may_request_more as offer_for

register = template.Library()


@register.simple_tag(takes_context=True)
def may_request_more(context, dataset) -> bool:
    """Precondition: the page got ``dataset`` from the gate for the context's user."""
    return offer_for(context.get("user"), dataset)
