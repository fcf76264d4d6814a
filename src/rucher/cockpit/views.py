"""The cockpit's pages: the organisation, a space, a department, a partner organisation,
each as an overview and one page per question (``cockpit/pages.py``).

Community managers and administrators only; for anyone else every cockpit address is a 404
(the cockpit's existence is not a secret, but its pages are not theirs). Each page takes the
period from ``?from=YYYY-MM-DD&to=YYYY-MM-DD`` (default the last 90 days, compared with the
90 before) and exports any of its tables with ``?csv=<table key>``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import wraps
from pathlib import Path
from typing import Any

import plotly
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from rucher.audit.trail import append
from rucher.cockpit.data import DEFAULT_DAYS, MAX_DAYS, Scope, compute_report, default_period
from rucher.cockpit.export import csv_response
from rucher.cockpit.pages import BY_SLUG, OVERVIEW, PAGES, Page
from rucher.cockpit.panels import (
    Panel,
    engagement_panel,
    health_panel,
    inequality_panel,
    influence_panel,
    nps_panel,
    profiles_panel,
    silos_panel,
    todo_panel,
)
from rucher.cockpit.panels.base import date_pattern
from rucher.cockpit.panels.cadence import cadence_panel
from rucher.cockpit.panels.moderation import moderation_panel
from rucher.cockpit.panels.opinion import opinion_extras_panel
from rucher.cockpit.panels.overview import figures_panel, overview_figures
from rucher.cockpit.weekly import busiest_spaces
from rucher.errors import Forbidden, Invalid, NotFound
from rucher.insights.periods import Period
from rucher.people.models import Department, Organisation, Person
from rucher.people.throttle import client_address
from rucher.spaces import permissions
from rucher.spaces.confidential import record_reads_by_id
from rucher.spaces.models import Space
from rucher.web.errors import translate_action_errors

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
PLOTLY_VERSION = plotly.__version__


def cockpit_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Signed-in community managers and administrators (never a guest); others get 404."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        person = request.user
        if not permissions.can_use_cockpit(person):
            raise Http404(_("not found"))
        return view(request, *args, **kwargs)

    return require_GET(login_required(translate_action_errors(wrapped)))


def parse_period(request: HttpRequest) -> Period:
    """The period of ``?from=&to=`` (both days included), or the default; Invalid if wrong."""
    raw_from, raw_to = request.GET.get("from", "").strip(), request.GET.get("to", "").strip()
    if not raw_from and not raw_to:
        return default_period()
    try:
        last = date.fromisoformat(raw_to) if raw_to else datetime.now(UTC).date()
        first = (
            date.fromisoformat(raw_from) if raw_from else last - timedelta(days=DEFAULT_DAYS - 1)
        )
    except ValueError:
        raise Invalid(_("Dates must be written YYYY-MM-DD.")) from None
    if first > last:
        raise Invalid(_("The period must start on or before the day it ends."))
    if (last - first).days + 1 > MAX_DAYS:
        raise Invalid(_("A period lasts at most %(n)d days.") % {"n": MAX_DAYS})
    start = datetime(first.year, first.month, first.day, tzinfo=UTC)
    end = datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=1)
    return Period(start, end)


def _spaces_by_id(viewer: Person) -> dict[int, str]:
    return dict(permissions.readable_spaces(viewer).values_list("id", "name"))


def _panels(
    page: Page,
    report: dict[str, Any],
    viewer: Person,
    context: str | None,
    silos: dict[str, Any],
    department: str | None,
    previous: dict[str, Any] | None,
) -> list[Panel]:
    if page.slug == "engagement":
        return [engagement_panel(report, previous), profiles_panel(report)]
    if page.slug == "contributors":
        return [inequality_panel(report), influence_panel(report, context)]
    if page.slug == "opinion":
        return [nps_panel(report, viewer), opinion_extras_panel(report)]
    if page.slug == "silos":
        return [silos_panel(silos, department)]
    if page.slug == "attention":
        spaces = _spaces_by_id(viewer)
        # The to-do first: what to do this week; then the alerts it comes from.
        return [todo_panel(report, spaces, viewer), health_panel(report, spaces, viewer)]
    if page.slug == "cadence":
        return [cadence_panel(report, _spaces_by_id(viewer))]
    return []


def _page_of(slug: str) -> Page:
    page = BY_SLUG.get(slug)
    if page is None:
        raise NotFound(_("no such cockpit page"))
    return page


def _page(
    request: HttpRequest,
    scope: Scope,
    title: str,
    about: str,
    page: Page,
    *,
    department: str | None = None,
    exportable: bool = True,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    viewer = request.user
    assert isinstance(viewer, Person)
    context: dict[str, Any] = {
        "title": title,
        "about": about,
        "scope": scope,
        "page": page,
        "pages": _tabs(scope, page),
        **(extra or {}),
    }
    try:
        period = parse_period(request)
    except Invalid as error:
        context |= {"period_error": error.message, "period": default_period(), "panels": []}
        return render(request, "cockpit/page.html", context, status=error.status)
    wanted = request.GET.get("csv")
    if wanted and not exportable:
        raise Forbidden(_("This space is confidential: nothing from it is exported."))
    report = compute_report(viewer, scope, period, for_export=bool(wanted), sections=page.sections)
    # A department's silos are its rows in the organisation's picture (inside the
    # department alone every tie is internal).
    silos = (
        compute_report(
            viewer, Scope("organisation"), period, for_export=bool(wanted), sections=("silos",)
        )
        if department and page.slug == "silos"
        else report
    )
    # The weekly trends of the previous period, drawn beside this period's.
    previous = (
        compute_report(
            viewer,
            scope,
            period.previous(),
            for_export=bool(wanted),
            sections=("engagement_series",),
        )
        if page.slug in ("", "engagement")
        else None
    )
    panels = _panels(page, report, viewer, request.GET.get("context"), silos, department, previous)
    figures = overview_figures(report, previous) if page.slug == "" else []
    if figures:
        panels.insert(0, figures_panel(figures))
    if page.slug == "attention" and scope.kind in ("organisation", "space"):
        # moderation happens in spaces
        space_id = scope.key if scope.kind == "space" else None
        panels.append(moderation_panel(viewer, period, space_id))  # type: ignore[arg-type]
    if wanted:
        for panel in panels:
            for table in panel.tables:
                if table.key == wanted:
                    append(
                        "exported",
                        actor=viewer,
                        address=client_address(request),
                        detail={
                            "from": "cockpit",
                            "scope": f"{scope.kind}:{scope.key or 'all'}",
                            "table": table.key,
                            "period": str(period),
                        },
                    )
                    return csv_response(table, f"{scope.kind}-{scope.key or 'all'}")
        raise NotFound(_("no such table"))
    context |= {
        "period": period,
        "previous": period.previous(),
        "last_day": (period.end - timedelta(days=1)).date(),
        "panels": panels,
        "figures": figures,
        "date_pattern": date_pattern(),
        "report": report,
        "exportable": exportable,
        "plotly_version": PLOTLY_VERSION,
        "query": _query(request, "csv"),
        "query_no_context": _query(request, "csv", "context"),
    }
    return render(request, "cockpit/page.html", context)


URL_NAMES = {
    "organisation": "overview",
    "space": "space",
    "department": "department",
    "partner": "partner",
}


def page_url(scope: Scope, slug: str) -> str:
    """The address of one of a scope's pages ("" = its overview)."""
    name = URL_NAMES[scope.kind]
    args = [] if scope.key is None else [scope.key]
    if slug:
        return reverse(f"cockpit:{name}_page", args=[*args, slug])
    return reverse(f"cockpit:{name}", args=args)


def _tabs(scope: Scope, current: Page) -> list[dict[str, Any]]:
    return [
        {"page": page, "url": page_url(scope, page.slug), "current": page == current}
        for page in (OVERVIEW, *PAGES)
    ]


def _query(request: HttpRequest, *dropped: str) -> str:
    """The page's query string without ``dropped`` (for export and context links)."""
    params = request.GET.copy()
    for name in dropped:
        params.pop(name, None)
    return params.urlencode()


@cockpit_view
def overview(request: HttpRequest, page: str = "") -> HttpResponse:
    viewer = request.user
    assert isinstance(viewer, Person)
    extra: dict[str, Any] = {
        "spaces": permissions.readable_spaces(viewer).order_by("name"),
        "departments": Department.objects.order_by("name"),
        "partners": Organisation.objects.filter(is_partner=True).order_by("name"),
    }
    if page == "attention":
        extra["busiest"] = busiest_spaces(viewer, timezone.now() - timedelta(days=7))
    return _page(
        request,
        Scope("organisation"),
        _("The organisation"),
        _(
            "This page shows how the whole network lives, from the spaces you may read, so you "
            "can decide where to help; people are counted, and named only where they allowed it."
        ),
        _page_of(page),
        extra=extra,
    )


@cockpit_view
def space(request: HttpRequest, space_id: int, page: str = "") -> HttpResponse:
    viewer = request.user
    assert isinstance(viewer, Person)
    chosen: Space = permissions.get_visible_space(viewer, space_id)
    if not permissions.can_read_space(viewer, chosen):
        raise NotFound(_("space not found"))
    if chosen.confidential:
        record_reads_by_id(viewer, [(chosen.pk, "space", chosen.pk)], "cockpit")
    return _page(
        request,
        Scope("space", chosen.pk),
        chosen.name,
        _(
            "This page shows how this space and its sub-spaces live, so its managers can animate "
            "it; people are counted, and named only where they allowed it."
        ),
        _page_of(page),
        exportable=not chosen.confidential,
        extra={"space": chosen},
    )


@cockpit_view
def department(request: HttpRequest, department_id: int, page: str = "") -> HttpResponse:
    chosen = Department.objects.filter(pk=department_id).first()
    if chosen is None:
        raise NotFound(_("department not found"))
    return _page(
        request,
        Scope("department", chosen.pk),
        chosen.name,
        _(
            "This page shows what the people of this department do in the spaces you may read and "
            "how they connect with other departments; people are counted, and named only where "
            "they allowed it."
        ),
        _page_of(page),
        department=chosen.name,
    )


@cockpit_view
def partner(request: HttpRequest, organisation_id: int, page: str = "") -> HttpResponse:
    chosen = Organisation.objects.filter(pk=organisation_id, is_partner=True).first()
    if chosen is None:
        raise NotFound(_("organisation not found"))
    return _page(
        request,
        Scope("partner", chosen.pk),
        chosen.name,
        _(
            "This page shows how the guests of this partner organisation take part in the shared "
            "spaces you may read; people are counted, and named only where they allowed it."
        ),
        _page_of(page),
    )


@require_GET
@cache_control(public=True, max_age=365 * 24 * 3600, immutable=True)
def plotly_js(request: HttpRequest, version: str) -> FileResponse:
    """The plotly.js bundled in the installed ``plotly`` package; the version is in the
    address, so it can be cached for a year and a new package gets a new address."""
    if version != PLOTLY_VERSION or not PLOTLY_JS.exists():
        raise Http404(_("not found"))
    return FileResponse(PLOTLY_JS.open("rb"), content_type="text/javascript")
