"""French first: the portal speaks French unless the visitor chose English.

Django's LocaleMiddleware follows the browser's ``Accept-Language``, so a visitor whose
browser is set to English would never see the French portal the region publishes. Here only
an explicit choice counts: the language cookie set by the switcher (``/i18n/setlang/``).
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        available = {code for code, _ in settings.LANGUAGES}
        language = chosen if chosen in available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
