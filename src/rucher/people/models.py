"""Accounts and profiles: employees, partner guests, community managers, administrators."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# The username of the account that keeps an erased member's content and events
# (rucher.privacy.erasure): no trace of who they were, shown as "former member".
ERASED_PREFIX = "former-member-"


def display_name_of(username: str, first_name: str, last_name: str) -> str:
    """How a person is named wherever they appear (``Person.display_name``), from the plain
    values, for pages built without model instances (``streams.rows``)."""
    if username.startswith(ERASED_PREFIX):
        return gettext("former member")
    return f"{first_name} {last_name}".strip() or username


class Organisation(models.Model):
    """The home organisation, or a partner (distributor, supplier…) whose guests join
    partner-shared spaces. Customers are never members."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    is_partner = models.BooleanField(_("partner"), default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    """A skill or an area of expertise, shared vocabulary of the directory."""

    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Person(AbstractUser):
    class Kind(models.TextChoices):
        EMPLOYEE = "employee", _("employee")
        PARTNER = "partner", _("partner guest")
        COMMUNITY_MANAGER = "community_manager", _("community manager")
        ADMIN = "admin", _("administrator")

    kind = models.CharField(_("account kind"), max_length=20, choices=Kind, default=Kind.EMPLOYEE)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
    )
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
    )
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    manager = models.ForeignKey(
        "self",
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    bio = models.TextField(_("short bio"), max_length=1000, blank=True)
    languages = models.CharField(_("languages"), max_length=60, blank=True, help_text="fr,en")
    photo = models.ImageField(_("photo"), upload_to="photos/", blank=True)
    # The interface language the person chose (the header's switch): applied at every request
    # once signed in, whichever browser (rucher.web.language). Empty: the browser's choice.
    language = models.CharField(
        _("interface language"),
        max_length=8,
        blank=True,
        choices=[("fr", "Français"), ("en", "English")],
    )
    # How the person reads (rucher.streams.reading): which stream opens first (the
    # chronological one until they choose), and how long their Essentiel is (empty: the
    # organisation's RUCHER_ESSENTIAL_ITEMS). Kept here, not in a table of their own, so the
    # home page knows which stream to show without one more query.
    home_stream = models.CharField(
        _("first stream"),
        max_length=10,
        choices=[("latest", _("everything, newest first")), ("essential", _("Essentials"))],
        default="latest",
    )
    essential_items = models.PositiveSmallIntegerField(
        _("items in my Essentials"), null=True, blank=True
    )
    skills = models.ManyToManyField(Tag, verbose_name=_("skills"), blank=True, related_name="+")
    expertise = models.ManyToManyField(
        Tag, verbose_name=_("expertise"), blank=True, related_name="experts"
    )
    favourites = models.ManyToManyField(
        "self", verbose_name=_("contacts"), symmetrical=False, blank=True, related_name="+"
    )
    # Privacy by design: contribution-based influence and expertise are shown per person only
    # where the member allows it.
    show_influence = models.BooleanField(_("show my influence and expertise"), default=False)
    left_at = models.DateTimeField(_("left on"), null=True, blank=True)
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["kind"]), models.Index(fields=["last_name", "first_name"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return display_name_of(self.username, self.first_name, self.last_name)

    @property
    def is_erased(self) -> bool:
        return self.username.startswith(ERASED_PREFIX)

    @property
    def is_guest(self) -> bool:
        return self.kind == self.Kind.PARTNER

    @property
    def is_community_manager(self) -> bool:
        return self.kind in (self.Kind.COMMUNITY_MANAGER, self.Kind.ADMIN)

    @property
    def initials(self) -> str:
        parts = [p for p in (self.first_name, self.last_name) if p]
        return "".join(p[0] for p in parts).upper() or self.username[:2].upper()


class SignInFailure(models.Model):
    """Failed sign-ins per account or per client address (people/throttle.py).

    A table, not a cache: every worker process and host must see the same count, and it must
    grow by one per failure even when failures arrive together (an atomic ``F() + 1``).
    """

    key = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField()  # an account's last failure; an address's first
    blocked_until = models.DateTimeField(null=True, blank=True)  # an account's next slot

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


# read: the safe methods (GET, HEAD); write: every other method; admin: the administrators'
# endpoints (/api/v1/webhooks…), on top of read or write.
TOKEN_SCOPES = ("read", "write", "admin")
TOKEN_SCOPE_LABELS = {"read": _("read"), "write": _("write"), "admin": _("administration")}


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AccessToken(models.Model):
    """Only the SHA-256 of a token is stored; the token itself is shown once."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens"
    )
    name = models.CharField(max_length=100, default="api")
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # None: never expires (an explicit choice when the token is made).
    expires_at = models.DateTimeField(null=True, blank=True)
    # Space-separated scopes (``TOKEN_SCOPES``): what the token may do, checked on every API
    # request (rucher.api.auth). Tokens made before scopes existed were given all three by
    # the migration, so no integration broke on upgrade.
    scopes = models.CharField(max_length=40, default="read write")

    class Meta:
        # The table keeps the name it had when the model lived in the api app.
        db_table = "api_accesstoken"
        ordering = ["-created_at"]

    @property
    def scope_labels(self) -> list[str]:
        """The scopes in words, for pages."""
        return [str(TOKEN_SCOPE_LABELS.get(s, s)) for s in self.scopes.split()]

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()


class SessionRecord(models.Model):
    """A signed-in browser session, named for the person who owns it (device, address, last
    seen), so a member can sign out their other sessions and deactivation can end them all.
    Django's session row holds the data; this row is how to find it from the person."""

    # The session's own note of when its "last seen" was last written (a POSIX time): the
    # web layer writes last_seen_at again at most once a minute (web/security.SessionSeen).
    SEEN_KEY = "rucher_seen"

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_records"
    )
    session_key = models.CharField(max_length=40, unique=True)
    user_agent = models.CharField(max_length=300, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.session_key[:6]}…"
