"""People: directory, profiles, profile edit, org chart, contacts, follow and mute buttons."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rucher import text
from rucher.activity.actions import record_view
from rucher.directory import actions as directory_actions
from rucher.errors import ActionError, Invalid
from rucher.people import actions as people_actions
from rucher.people.models import Department, Person, Site
from rucher.privacy.visibility import in_directory, mark, searchable_by
from rucher.spaces import permissions
from rucher.spaces.confidential import record_reads
from rucher.streams import actions as stream_actions
from rucher.streams import queries
from rucher.streams.models import Follow, Mute, TargetType
from rucher.web.common import is_htmx, user
from rucher.web.errors import safe_next, translate_action_errors
from rucher.web.forms import DirectoryForm, ProfileForm
from rucher.web.views_recognition import profile_context as recognition_context

DIRECTORY_PAGE_SIZE = 30
MAX_CHAIN = 20  # a manager loop in imported data must not hang the page


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    person = user(request)
    visible = permissions.visible_people(person)
    form = DirectoryForm(request.GET)
    people = in_directory(person, visible).select_related("department", "site")
    if form.is_valid():
        data = form.cleaned_data
        # A search on a value its owner hides from the viewer would reveal it: left out.
        everyone = Person.objects.all()
        if data["q"]:
            term = data["q"].strip()
            people = people.filter(
                Q(first_name__icontains=term)
                | Q(last_name__icontains=term)
                | Q(username__icontains=term)
                | Q(job_title__icontains=term, pk__in=searchable_by(person, everyone, "job_title"))
                | Q(skills__name__icontains=term, pk__in=searchable_by(person, everyone, "skills"))
                | Q(
                    expertise__name__icontains=term,
                    pk__in=searchable_by(person, everyone, "expertise"),
                )
            ).distinct()
        if data["department"]:
            people = searchable_by(person, people, "department").filter(
                department__name=data["department"]
            )
        if data["site"]:
            people = searchable_by(person, people, "site").filter(site__name=data["site"])
        if data["skill"]:
            people = (
                searchable_by(person, people, "skills")
                .filter(skills__name=data["skill"].strip().lower())
                .distinct()
            )
    paginator = Paginator(people.order_by("last_name", "first_name", "id"), DIRECTORY_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    mark(person, list(page.object_list))
    return render(
        request,
        "people/directory.html",
        {
            "form": form,
            "page": page,
            "departments": Department.objects.filter(people__in=visible).distinct(),
            "sites": Site.objects.filter(people__in=visible).distinct(),
        },
    )


def _profile(request: HttpRequest, other: Person) -> HttpResponse:
    person = user(request)
    visible = permissions.visible_people(person)
    # The owner's privacy settings: which fields this viewer sees, and their activity.
    reports = list(visible.filter(manager=other).select_related("department", "site"))
    shows_activity = mark(person, [other, *reports], activity_of=other.pk)
    hidden = other.hidden_fields  # type: ignore[attr-defined]  # set by mark()
    page = (
        queries.person_stream(person, other.pk, cursor=request.GET.get("cursor"))
        if shows_activity
        else None
    )
    if page is not None:
        record_reads(person, page.items)
    if is_htmx(request) and request.GET.get("cursor"):
        if page is None:
            raise Http404(_("page not found"))
        return render(request, "streams/_page.html", {"page": page})
    record_view(person, "person", other.pk, None)
    return render(
        request,
        "people/profile.html",
        {
            "other": other,
            "page": page,
            "hidden": hidden,
            "manager": visible.filter(pk=other.manager_id).first()
            if other.manager_id and "manager" not in hidden
            else None,
            "reports": reports,
            "skills": list(other.skills.all()) if "skills" not in hidden else [],
            "expertise": list(other.expertise.all()) if "expertise" not in hidden else [],
            "is_me": other.pk == person.pk,
            "is_contact": person.favourites.filter(pk=other.pk).exists(),
            "following": Follow.objects.filter(
                follower=person, target_type=TargetType.PERSON, target_id=other.pk
            ).exists(),
            "muted": Mute.objects.filter(
                person=person, target_type=TargetType.PERSON, target_id=other.pk
            ).exists(),
            **recognition_context(person, other),
        },
    )


@login_required
@translate_action_errors
def profile(request: HttpRequest, person_id: int) -> HttpResponse:
    return _profile(request, permissions.get_visible_person(user(request), person_id))


@login_required
@translate_action_errors
def profile_by_username(request: HttpRequest, username: str) -> HttpResponse:
    text.require(username, _("username"))  # a NUL is a 422, not a database error
    found = permissions.visible_people(user(request)).filter(username=username).first()
    if found is None:
        raise Http404(_("person not found"))
    return _profile(request, permissions.get_visible_person(user(request), found.pk))


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    person = user(request)
    status = 200
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                people_actions.update_profile(person, **form.cleaned_data)
            except ActionError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                messages.success(request, _("Your profile was saved."))
                return redirect("profile", person.pk)
        else:
            status = 422
    else:
        form = ProfileForm(
            initial={
                "job_title": person.job_title,
                "bio": person.bio,
                "languages": person.languages,
                "department": person.department.name if person.department else "",
                "site": person.site.name if person.site else "",
                "skills": ", ".join(t.name for t in person.skills.all()),
                "expertise": ", ".join(t.name for t in person.expertise.all()),
                "show_influence": person.show_influence,
            }
        )
    return render(request, "people/edit.html", {"form": form}, status=status)


@login_required
@translate_action_errors
def org_chart(request: HttpRequest, person_id: int) -> HttpResponse:
    """The chain of managers up from a person, and two levels of reports down."""
    person = user(request)
    visible = permissions.visible_people(person).select_related("department")
    center = permissions.get_visible_person(person, person_id)
    chain: list[Person] = []
    seen = {center.pk}
    current = center
    while current.manager_id and current.manager_id not in seen and len(chain) < MAX_CHAIN:
        boss = visible.filter(pk=current.manager_id).first()
        if boss is None:
            break
        chain.append(boss)
        seen.add(boss.pk)
        current = boss
    chain.reverse()
    reports = list(visible.filter(manager=center))
    below: dict[int, list[Person]] = {}
    for report in visible.filter(manager__in=[r.pk for r in reports]):
        below.setdefault(report.manager_id or 0, []).append(report)
    tree = [(r, below.get(r.pk, [])) for r in reports]
    return render(
        request, "people/org_chart.html", {"center": center, "chain": chain, "tree": tree}
    )


@login_required
def contacts(request: HttpRequest) -> HttpResponse:
    person = user(request)
    people = (
        permissions.visible_people(person)
        .filter(pk__in=person.favourites.values("pk"))
        .select_related("department", "site")
    )
    shown = list(people)
    mark(person, shown)
    return render(request, "people/contacts.html", {"people": shown})


@login_required
@require_POST
@translate_action_errors
def contact(request: HttpRequest, person_id: int) -> HttpResponse:
    person = user(request)
    other = permissions.get_visible_person(person, person_id)
    if request.POST.get("op") == "remove":
        directory_actions.remove_contact(person, other)
        messages.success(request, _("Removed from your contacts."))
    else:
        directory_actions.add_contact(person, other)
        messages.success(request, _("Added to your contacts."))
    return redirect(safe_next(request, f"/people/{other.pk}/"))


FOLLOW_OPERATIONS = {
    "follow": stream_actions.follow,
    "unfollow": stream_actions.unfollow,
    "mute": stream_actions.mute,
    "unmute": stream_actions.unmute,
}


@login_required
@require_POST
@translate_action_errors
def follow(request: HttpRequest) -> HttpResponse:
    """Follow, unfollow, mute or unmute a person, a space or a topic."""
    operation = FOLLOW_OPERATIONS.get(request.POST.get("op", ""))
    target_type = request.POST.get("target_type", "")
    if operation is None or target_type not in TargetType.values:
        raise Invalid(_("unknown operation"))
    operation(user(request), target_type, request.POST.get("target", ""))
    return redirect(safe_next(request, "/"))
