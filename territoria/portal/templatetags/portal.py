"""Template filters of the portal: Markdown descriptions, access badges, upload rights."""

from django import template
from django.utils.safestring import SafeString

from territoria.governance.gate import can_write_dataset, is_steward
from territoria.portal.markup import markdown_excerpt, render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    """``{{ dataset.description|markdown }}``: sanitised HTML (see portal/markup.py)."""
    return render_markdown(text)


@register.filter
def excerpt(text: str, words: int = 40) -> str:
    """``{{ dataset.description|excerpt }}``: plain text of the Markdown, cut after 40 words."""
    return markdown_excerpt(text, int(words))


@register.filter
def may_upload(user) -> bool:
    """``{% if user|may_upload %}``: may the user create a dataset (the gate decides)?"""
    return can_write_dataset(user, None)


@register.filter
def may_read_journal(user) -> bool:
    """``{% if user|may_read_journal %}``: may the user browse the whole audit journal?"""
    return is_steward(user)


@register.filter
def is_data_steward(user) -> bool:
    """``{% if user|is_data_steward %}``: the data office's menu (requests, GDPR record…)."""
    return is_steward(user)
