"""The links between a person and their accounts at identity providers, and the SAML requests
and assertions already used (replay guards). Kept here, not on ``people.Person``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExternalIdentity(models.Model):
    """A provider's stable subject (OIDC ``sub``, SAML NameID) for one person. The issuer is
    part of the key: two providers may hand out the same subject for different people."""

    issuer = models.CharField(_("identity provider"), max_length=500)
    subject = models.CharField(_("subject"), max_length=255)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="external_identities",
        verbose_name=_("person"),
    )
    protocol = models.CharField(_("protocol"), max_length=10)  # "oidc" or "saml"
    created_at = models.DateTimeField(_("linked on"), auto_now_add=True)
    last_sign_in_at = models.DateTimeField(_("last sign-in"), null=True, blank=True)

    class Meta:
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="identity_issuer_subject")
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.subject}"


class PendingSamlRequest(models.Model):
    """An AuthnRequest sent and not yet answered. Kept in the database, not the session: the
    provider's answer is a cross-site POST, which a SameSite=Lax session cookie does not
    follow. Consumed (deleted) by the first answer: a replayed answer finds nothing."""

    request_id = models.CharField(max_length=100, unique=True)
    next_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)


class UsedAssertion(models.Model):
    """A SAML assertion already turned into a sign-in; the same one again is a replay."""

    issuer = models.CharField(max_length=500)
    assertion_id = models.CharField(max_length=200)
    used_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "assertion_id"], name="identity_assertion")
        ]


class RecoveryCode(models.Model):
    """A one-time code that stands in for the authenticator app (a lost phone). Shown once at
    enrolment; only its SHA-256 is kept (the codes are random, 50 bits each: a slow hash adds
    nothing). ``used_at`` set: spent."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    digest = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "digest"], name="identity_recovery_code")
        ]


class GroupGrant(models.Model):
    """A space membership the group mapping gave (``RUCHER_SSO_GROUP_MAP``): only these are
    taken back when the person leaves the group at the provider. A membership the person had
    before, or was given by a space manager, has no grant and is never touched."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_grants"
    )
    space = models.ForeignKey("spaces.Space", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "space"], name="identity_group_grant")
        ]
