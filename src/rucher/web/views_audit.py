"""The audit trail for administrators: search (who, what, when, which space) and export.
Every search and export is itself appended to the trail."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rucher.audit.labels import ACTION_LABELS, action_label, actor_label
from rucher.audit.models import AuditEntry
from rucher.audit.queries import AuditFilter, csv_lines, jsonl_lines, search
from rucher.audit.trail import append
from rucher.moderation.models import Decision
from rucher.people.models import Person
from rucher.people.throttle import client_address
from rucher.spaces import permissions
from rucher.spaces.models import Space
from rucher.web.common import user

PAGE = 50


class AuditSearchForm(forms.Form):
    actor = forms.CharField(label=gettext_lazy("Who (username)"), required=False, max_length=150)
    action = forms.ChoiceField(label=gettext_lazy("What"), required=False)
    space = forms.ModelChoiceField(
        label=gettext_lazy("Which space"),
        required=False,
        queryset=Space.objects.none(),
        to_field_name="slug",
        empty_label=gettext_lazy("all spaces"),
    )
    since = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("To (included)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, viewer: Person, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = sorted(
            ((a, str(label)) for a, label in ACTION_LABELS.items()), key=lambda c: c[1]
        )
        self.fields["action"].choices = [("", _("every action")), *choices]  # type: ignore[attr-defined]
        self.fields["space"].queryset = permissions.visible_spaces(viewer).order_by("name")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            raise forms.ValidationError(_("the end date is before the start date"))
        return data

    def filters(self) -> AuditFilter:
        data = self.cleaned_data
        zone = timezone.get_current_timezone()

        def start_of(day: Any) -> datetime | None:
            return datetime.combine(day, datetime.min.time(), zone) if day else None

        until = start_of(data.get("until"))
        return AuditFilter(
            actor=data.get("actor") or "",
            action=data.get("action") or "",
            space_id=data["space"].pk if data.get("space") else None,
            since=start_of(data.get("since")),
            until=until + timedelta(days=1) if until else None,
        )


DECISION_LABELS = dict(Decision.choices)


def _rows(viewer: Person, entries: list[AuditEntry]) -> list[dict[str, Any]]:
    """Each entry with names, not ids (spaces the viewer may not see stay unnamed)."""
    space_ids = {e.space_id for e in entries if e.space_id}
    spaces = permissions.visible_spaces(viewer).in_bulk(space_ids)
    people_ids = {e.target_id for e in entries if e.target_id} | {
        e.actor_id for e in entries if e.actor_id
    }
    people = Person.objects.in_bulk(people_ids)
    rows = []
    for entry in entries:
        space = spaces.get(entry.space_id) if entry.space_id else None
        rows.append(
            {
                "entry": entry,
                "action": action_label(entry.action, entry.object_type),
                "actor": people.get(entry.actor_id) if entry.actor_id else None,
                "actor_label": actor_label(entry.actor_label),
                "target": people.get(entry.target_id) if entry.target_id else None,
                "space": space,
                "hidden_space": bool(entry.space_id) and space is None,
                "decision": DECISION_LABELS.get(entry.detail.get("decision", "")),
            }
        )
    return rows


@login_required
def audit_trail(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    viewer = user(request)
    if not permissions.can_read_audit(viewer):
        raise Http404(_("page not found"))
    form = AuditSearchForm(viewer, request.GET or None)
    if request.GET and not form.is_valid():
        return render(request, "audit/trail.html", {"form": form, "rows": []}, status=422)
    filters = form.filters() if request.GET else AuditFilter()
    entries = search(filters)
    fmt = request.GET.get("format")
    if fmt in ("csv", "jsonl"):
        append(
            "exported_audit",
            actor=viewer,
            address=client_address(request),
            detail={"format": fmt, **filters.as_detail()},
        )
        lines = csv_lines if fmt == "csv" else jsonl_lines
        response = StreamingHttpResponse(
            lines(entries.order_by("seq").iterator(chunk_size=2000)),
            content_type="text/csv; charset=utf-8" if fmt == "csv" else "application/jsonl",
        )
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="rucher-audit-{stamp}.{fmt}"'
        return response
    before = form.cleaned_data.get("before") if request.GET else None
    if before:
        entries = entries.filter(seq__lt=before)
    page = list(entries[: PAGE + 1])
    more = len(page) > PAGE
    page = page[:PAGE]
    append(
        "read_audit",
        actor=viewer,
        address=client_address(request),
        detail=filters.as_detail(),
    )
    query = request.GET.copy()
    query.pop("before", None)
    query.pop("format", None)
    return render(
        request,
        "audit/trail.html",
        {
            "form": form,
            "rows": _rows(viewer, page),
            "next_before": page[-1].seq if more and page else None,
            "query": query.urlencode(),
        },
    )
