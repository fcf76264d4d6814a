"""Personal data in the browser (docs/privacy.md): a member's privacy page (who sees what,
the download of their data, their account's erasure), an administrator's erasure of a member
and a space's retention rule."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from rucher.errors import ActionError
from rucher.people.actions import update_profile
from rucher.people.models import Person
from rucher.privacy import actions as privacy
from rucher.privacy.models import (
    PROFILE_FIELDS,
    Audience,
    DataExport,
    PrivacySettings,
    RetentionRun,
    SpaceRetention,
)
from rucher.spaces import permissions
from rucher.web.common import user
from rucher.web.errors import translate_action_errors

FIELD_LABELS = {
    "email": gettext_lazy("E-mail address"),
    "job_title": gettext_lazy("Job title"),
    "department": gettext_lazy("Department"),
    "site": gettext_lazy("Site"),
    "manager": gettext_lazy("Manager"),
    "bio": gettext_lazy("Short bio"),
    "languages": gettext_lazy("Languages"),
    "skills": gettext_lazy("Skills"),
    "expertise": gettext_lazy("Expertise"),
}


class PrivacyForm(forms.Form):
    activity = forms.ChoiceField(label=gettext_lazy("My activity"), choices=Audience.choices)
    show_influence = forms.BooleanField(
        label=gettext_lazy("Show my expertise and influence (the cockpit's figures about me)"),
        required=False,
    )
    listed_to_partners = forms.BooleanField(
        label=gettext_lazy("Partner guests of my spaces find me in the directory"),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in PROFILE_FIELDS:
            self.fields[f"field_{name}"] = forms.ChoiceField(
                label=FIELD_LABELS[name], choices=Audience.choices
            )

    @classmethod
    def for_person(cls, person: Person, data: Any = None) -> PrivacyForm:
        row = PrivacySettings.objects.filter(person=person).first() or PrivacySettings()
        initial: dict[str, Any] = {
            f"field_{name}": row.audience_of(name) for name in PROFILE_FIELDS
        }
        initial.update(
            activity=row.activity,
            show_influence=person.show_influence,
            listed_to_partners=row.listed_to_partners,
        )
        return cls(data, initial=initial)

    def profile_fields(self) -> list[Any]:
        return [self[f"field_{name}"] for name in PROFILE_FIELDS]


class EraseForm(forms.Form):
    confirm = forms.CharField(
        label=gettext_lazy("Type the username to confirm"), max_length=150, required=True
    )


def _privacy_page(
    request: HttpRequest, person: Person, form: PrivacyForm, erase: EraseForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "settings/privacy.html",
        {
            "form": form,
            "erase_form": erase,
            "exports": DataExport.objects.filter(person=person)[:5],
        },
        status=status,
    )


@login_required
def privacy_settings(request: HttpRequest) -> HttpResponse:
    person = user(request)
    form = PrivacyForm.for_person(person, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not form.is_valid():
            return _privacy_page(request, person, form, EraseForm(), 422)
        data = form.cleaned_data
        try:
            privacy.update_privacy(
                person,
                fields={name: data[f"field_{name}"] for name in PROFILE_FIELDS},
                activity=data["activity"],
                listed_to_partners=data["listed_to_partners"],
            )
            if data["show_influence"] != person.show_influence:
                update_profile(person, show_influence=data["show_influence"])
        except ActionError as error:
            form.add_error(None, error.message)
            return _privacy_page(request, person, form, EraseForm(), error.status)
        messages.success(request, _("Your privacy settings are saved."))
        return redirect("privacy_settings")
    return _privacy_page(request, person, form, EraseForm())


@login_required
@require_POST
@translate_action_errors
def request_export(request: HttpRequest) -> HttpResponse:
    privacy.request_export(user(request))
    messages.success(
        request,
        _(
            "Your data is being prepared: you will get an e-mail, and the link here, "
            "when it is ready."
        ),
    )
    return redirect("privacy_settings")


@login_required
def download_export(request: HttpRequest, export_id: int) -> HttpResponseBase:
    """The zip, for its member only (anyone else: not found); 410 once expired."""
    export = DataExport.objects.filter(pk=export_id, person=user(request)).first()
    if export is None or export.status != DataExport.Status.READY:
        raise Http404(_("page not found"))
    if export.is_expired or not export.file:
        return render(
            request,
            "error.html",
            {"message": _("This download has expired: ask for a new one.")},
            status=410,
        )
    stamp = export.ready_at.strftime("%Y%m%d") if export.ready_at else "export"
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=f"rucher-{stamp}.zip",
        content_type="application/zip",
    )


@login_required
@require_POST
def erase_my_account(request: HttpRequest) -> HttpResponse:
    person = user(request)
    erase = EraseForm(request.POST)
    if erase.is_valid():
        try:
            privacy.erase_person(person, person, confirm=erase.cleaned_data["confirm"])
        except ActionError as error:
            erase.add_error("confirm", error.message)
        else:
            logout(request)
            return render(request, "settings/erased.html")
    return _privacy_page(request, person, PrivacyForm.for_person(person), erase, 422)


def _require_admin(person: Person) -> None:
    if person.kind != Person.Kind.ADMIN and not person.is_superuser:
        raise Http404(_("page not found"))


@login_required
def erase_member(request: HttpRequest, person_id: int) -> HttpResponse:
    """An administrator erases a member, after typing their username."""
    admin = user(request)
    _require_admin(admin)
    member = get_object_or_404(Person, pk=person_id, is_active=True)
    if member.is_erased:
        raise Http404(_("page not found"))
    erase = EraseForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if erase.is_valid():
            try:
                privacy.erase_person(admin, member, confirm=erase.cleaned_data["confirm"])
            except ActionError as error:
                erase.add_error("confirm", error.message)
                status = error.status
            else:
                messages.success(request, _("The account was erased."))
                return redirect("directory")
        else:
            status = 422
    return render(
        request, "settings/erase_member.html", {"member": member, "form": erase}, status=status
    )


class RetentionForm(forms.Form):
    months = forms.IntegerField(
        label=gettext_lazy("Delete content older than (months)"),
        required=False,
        min_value=1,
        max_value=privacy.MAX_RETENTION_MONTHS,
        help_text=gettext_lazy("Empty: content is kept for ever."),
    )
    legal_hold = forms.BooleanField(
        label=gettext_lazy("Legal hold: suspend deletion"), required=False
    )


@login_required
def space_retention(request: HttpRequest, slug: str) -> HttpResponse:
    admin = user(request)
    _require_admin(admin)
    space = get_object_or_404(permissions.visible_spaces(admin), slug=slug)
    rule = SpaceRetention.objects.filter(space=space).first()
    initial = {"months": rule.months, "legal_hold": rule.legal_hold} if rule else {}
    form = RetentionForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                privacy.set_retention(
                    admin,
                    space,
                    months=form.cleaned_data["months"],
                    legal_hold=form.cleaned_data["legal_hold"],
                )
            except ActionError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                messages.success(request, _("The retention rule is saved."))
                return redirect("space_retention", slug=space.slug)
        else:
            status = 422
    return render(
        request,
        "spaces/retention.html",
        {
            "space": space,
            "form": form,
            "runs": RetentionRun.objects.filter(space_id=space.pk)[:10],
        },
        status=status,
    )
