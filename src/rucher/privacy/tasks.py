"""Background work of personal data, run by ``rucher worker``: an export's zip, the daily
retention run (enqueued by the worker's periodic tick, as the digests are)."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from rucher.activity.models import Event
from rucher.notifications.models import Kind
from rucher.notifications.personal import tell_owner

logger = logging.getLogger("rucher.privacy")


def export_lifetime() -> timedelta:
    return timedelta(seconds=getattr(settings, "RUCHER_EXPORT_LIFETIME_SECONDS", 7 * 86400))


@task()
def build_export(export_id: int) -> None:
    """Build the zip of one export request, then tell its member (e-mail, and the privacy
    page shows the link until it expires)."""
    from rucher.privacy.export import build_zip
    from rucher.privacy.models import DataExport

    export = DataExport.objects.select_related("person").filter(pk=export_id).first()
    if export is None or export.status != DataExport.Status.PENDING:
        return  # erased meanwhile, or a retried task that already finished
    try:
        data = build_zip(export.person)
    except Exception:
        DataExport.objects.filter(pk=export_id).update(status=DataExport.Status.FAILED)
        raise
    name = f"rucher-{secrets.token_hex(16)}.zip"  # not guessable: the view checks the owner too
    with transaction.atomic():
        export.file.save(name, ContentFile(data), save=False)
        now = timezone.now()
        DataExport.objects.filter(pk=export_id).update(
            status=DataExport.Status.READY,
            ready_at=now,
            expires_at=now + export_lifetime(),
            file=export.file.name,
            size=len(data),
        )
    tell_export_ready(export)


def tell_export_ready(export: object) -> None:
    """The notification centre (the member's request is the event behind it), then e-mail."""
    person = export.person  # type: ignore[attr-defined]
    request = (
        Event.objects.filter(verb="requested_export", actor_id=person.pk)
        .order_by("-id")
        .values_list("pk", flat=True)
        .first()
    )
    if request is not None:
        tell_owner(person.pk, Kind.EXPORT_READY, f"export:{export.pk}", request)  # type: ignore[attr-defined]
    if not person.email:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Your rucher data is ready to download")
        body = _(
            "The download of your data you asked for is ready on your privacy page "
            "(Settings, Privacy). The link works for 7 days."
        )
    try:
        send_mail(subject, body, None, [person.email])
    except Exception:  # the page says it too: a mail server down must not fail the export
        logger.exception("export %s: the ready notice was not sent", export.pk)  # type: ignore[attr-defined]


@task()
def apply_retention_rules() -> int:
    from rucher.privacy.retention import apply_all

    return apply_all()


RETENTION_EVERY = timedelta(days=1)


def enqueue_retention_if_due() -> bool:
    """The worker's hourly tick: enqueue the run (a task, retried and leased like any) when
    the last one is a day old, so a worker restarted often still runs it daily; also drop
    the files of expired exports."""
    from rucher.privacy.models import RetentionRun

    purge_expired_exports()
    last = RetentionRun.objects.order_by("-at").values_list("at", flat=True).first()
    if last is not None and last > timezone.now() - RETENTION_EVERY:
        return False
    apply_retention_rules.enqueue()
    return True


def purge_expired_exports() -> int:
    """Expired exports lose their file (the row stays: the page says it expired)."""
    from django.core.files.storage import default_storage

    from rucher.privacy.models import DataExport

    expired = DataExport.objects.filter(expires_at__lte=timezone.now()).exclude(file="")
    count = 0
    for export in expired:
        default_storage.delete(export.file.name)
        DataExport.objects.filter(pk=export.pk).update(file="")
        count += 1
    return count
