"""Forms of the web pages. They check the shape of the input (types, choices); the actions
check the rules (limits, permissions) so the API and the pages refuse the same things."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from rucher import text
from rucher.people.models import Department, Site
from rucher.spaces.models import Space


def validate_storable(value: str) -> None:
    """The product's text rule (rucher.text): no NUL byte, no lone surrogate."""
    reason = text.problem(value)
    if reason is not None:
        raise ValidationError(reason, code="unstorable")


class TextField(forms.CharField):
    """Every text field of the pages: refuses what rucher.text refuses, and (when required)
    text made only of invisible characters."""

    default_validators = [validate_storable]

    def validate(self, value: Any) -> None:
        super().validate(value)
        if self.required and isinstance(value, str) and text.is_blank(value):
            raise ValidationError(self.error_messages["required"], code="required")


class _ChoicesForm(forms.Form):
    def _choice_field(self, name: str) -> forms.ChoiceField:
        return cast(forms.ChoiceField, self.fields[name])


class ComposerForm(_ChoicesForm):
    PROFILE = "profile"
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("post", _("Post")), ("question", _("Question"))],
        initial="post",
    )
    space = forms.ChoiceField(label=_("Where"), required=False)
    text = TextField(
        label=_("Message"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("Share something…")}),
        help_text=_("Markdown; #topics and @mentions are recognised."),
    )

    # A new key per form shown: submitting the same form twice publishes once
    # (rucher.idempotency; the view swaps in a fresh key after each post).
    idempotency_key = TextField(required=False, max_length=255, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, spaces: list[Space], allow_profile: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["idempotency_key"].initial = new_form_key()
        choices: list[tuple[str, Any]] = [(str(s.pk), s.name) for s in spaces]
        if allow_profile:
            choices.append((self.PROFILE, _("My profile")))
        # With more than one destination, nothing is preselected: a post lands where its
        # author chose, never in a default they did not notice.
        self.destinations = [value for value, _label in choices]
        self.must_choose = len(choices) > 1
        if self.must_choose:
            choices.insert(0, ("", _("Choose where to publish…")))
        self._choice_field("space").choices = choices

    def clean_space(self) -> str:
        value = str(self.cleaned_data.get("space") or "")
        if value:
            return value
        if self.must_choose:
            raise forms.ValidationError(_("Choose where to publish."))
        if not self.destinations:
            raise forms.ValidationError(_("Join a space to publish in it."))
        return self.destinations[0]

    def space_id(self) -> str | None:
        """The chosen space's id, or None for the author's profile."""
        value = self.cleaned_data["space"]
        return None if value == self.PROFILE else value


def new_form_key() -> str:
    return uuid.uuid4().hex


class ReplyForm(forms.Form):
    text = TextField(
        label=_("Your reply"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    quoted = forms.IntegerField(required=False, widget=forms.HiddenInput)


class EditForm(forms.Form):
    text = TextField(
        label=_("Text"), required=False, strip=False, widget=forms.Textarea(attrs={"rows": 8})
    )


class ShareForm(_ChoicesForm):
    space = forms.ChoiceField(label=_("Share into"))
    text = TextField(
        label=_("Comment (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, spaces: list[Space], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "share_%s")  # the reply form on the same page has "text"
        super().__init__(*args, **kwargs)
        self._choice_field("space").choices = [(str(s.pk), s.name) for s in spaces]


class PollForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Poll kind"),
        choices=[("choice", _("Choice")), ("nps", _("How likely are you to recommend… (0–10)"))],
    )
    question = TextField(label=_("Question"), required=False, max_length=300)
    options = TextField(
        label=_("Options (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SpaceForm(_ChoicesForm):
    name = TextField(label=_("Name"), required=False, max_length=120)
    description = TextField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    visibility = forms.ChoiceField(label=_("Visibility"), choices=Space.Visibility.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=Space.Kind.choices)
    confidential = forms.BooleanField(
        label=_("Confidential (no export; every read is recorded)"), required=False
    )
    parent = forms.ChoiceField(label=_("Hub"), required=False)

    def __init__(self, *args: Any, hubs: list[Space], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choice_field("parent").choices = [("", _("None"))] + [
            (str(h.pk), h.name) for h in hubs
        ]


class InviteForm(forms.Form):
    username = TextField(label=_("Username of the person to invite"), max_length=150)


class ProfileForm(forms.Form):
    job_title = TextField(label=_("Job title"), required=False, max_length=120)
    # The organisation's lists: a member picks, never invents (people.actions.profile).
    department = forms.ChoiceField(label=_("Department"), required=False)
    site = forms.ChoiceField(label=_("Site"), required=False)
    languages = TextField(
        label=_("Languages"), required=False, max_length=60, help_text=_("e.g. fr,en")
    )
    bio = TextField(
        label=_("Short bio"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    skills = TextField(label=_("Skills"), required=False, help_text=_("Separated by commas"))
    expertise = TextField(label=_("Expertise"), required=False, help_text=_("Separated by commas"))
    show_influence = forms.BooleanField(
        label=_("Show my influence and expertise to others"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, model in (("department", Department), ("site", Site)):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            names = model.objects.order_by("name").values_list("name", flat=True)
            field.choices = [("", _("None")), *((n, n) for n in names)]


class DirectoryForm(forms.Form):
    q = TextField(label=_("Search name, job title, skill"), required=False, max_length=100)
    department = TextField(label=_("Department"), required=False, max_length=120)
    site = TextField(label=_("Site"), required=False, max_length=120)
    skill = TextField(label=_("Skill"), required=False, max_length=60)


class HideTagForm(forms.Form):
    tag = TextField(label=_("Tag to hide, e.g. [Sport]"), required=False, max_length=60)


TOKEN_SCOPES: list[tuple[str, Any]] = [
    ("read", _("read (see what I see)")),
    ("write", _("write (post, react, change things as me)")),
    ("admin", _("administration (administrators only)")),
]


class TokenForm(forms.Form):
    NEVER = "never"
    name = TextField(label=_("Token name"), required=False, max_length=100)
    lifetime = forms.ChoiceField(
        label=_("Expires"),
        choices=[
            ("30", _("in 30 days")),
            ("90", _("in 90 days")),
            ("366", _("in a year")),
            (NEVER, _("never (until revoked)")),
        ],
        initial="90",
        required=False,
    )
    scopes = forms.MultipleChoiceField(
        label=_("What it may do"),
        choices=TOKEN_SCOPES,
        initial=["read", "write"],
        widget=forms.CheckboxSelectMultiple,
        required=False,  # none ticked: read and write, the default
    )

    def __init__(self, *args: Any, may_administer: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_administer:
            # Only an administrator's token may hold it: not offered to anyone else.
            field = self.fields["scopes"]
            assert isinstance(field, forms.MultipleChoiceField)
            field.choices = [c for c in TOKEN_SCOPES if c[0] != "admin"]

    def chosen_scopes(self) -> list[str]:
        return list(self.cleaned_data.get("scopes") or ["read", "write"])

    def lifetime_days(self) -> int | None:
        value = self.cleaned_data.get("lifetime") or "90"
        return None if value == self.NEVER else int(value)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))


class FlagForm(forms.Form):
    """A flag: a reason (in words) and, for "other", an explanation."""

    reason = forms.ChoiceField(label=_("Reason"))
    text = forms.CharField(
        label=_("Explanation (required for “other”)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, reasons: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["reason"]).choices = reasons
