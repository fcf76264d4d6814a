"""One-click unsubscribe from e-mails (RFC 8058), without signing in.

The link in each e-mail is signed (``notifications/unsubscribe.py``): GET shows what it would
stop and a button; POST stops it. Mail clients POST ``List-Unsubscribe=One-Click`` to the
same address with no cookie and no CSRF token, so this one view is exempt from CSRF: the
signed link is the proof, and what it can do is bounded (stop e-mails of one category, for
the person it was made for). A forged, altered or expired link is a 400 page that says so.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from rucher.notifications.mail import language_of, settings_of
from rucher.notifications.unsubscribe import BadLink, category_label, read_token, unsubscribe
from rucher.people.models import Person


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        person_id, category = read_token(token)
    except BadLink as error:
        return render(
            request, "notifications/unsubscribe_invalid.html", {"reason": str(error)}, status=400
        )
    person = Person.objects.filter(pk=person_id, is_active=True).first()
    if person is None:
        return render(
            request,
            "notifications/unsubscribe_invalid.html",
            {"reason": None},
            status=400,
        )
    with translation.override(language_of(settings_of([person.pk])[person.pk])):
        context = {"label": category_label(category), "person": person, "token": token}
        if request.method == "POST":
            outcome = unsubscribe(person.pk, category)
            context["changed"] = outcome.changed
            return render(request, "notifications/unsubscribe_done.html", context)
        return render(request, "notifications/unsubscribe_confirm.html", context)
