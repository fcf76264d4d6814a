"""The member's download: their data as JSON, and the files they attached, in one zip.

Only what is theirs: their profile, what they wrote, their reactions and votes, memberships,
follows, contacts, notifications, sign-ins, tokens (names, never secrets), settings. Other
people appear by id only (a follow, a contact, a notification's subject), never by what
they wrote or chose to hide. Direct messages: the messages they wrote and the files they
sent, with the ids of the conversations and of their participants; never a message of
someone else (docs/messaging.md).
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from django.core.files.storage import default_storage

from rucher.activity.models import Event
from rucher.audit.models import AuditEntry
from rucher.conversations.models import Attachment, Content, PollVote, Reaction
from rucher.messaging.models import Message, MessageAttachment, MessageReaction, Participant
from rucher.notifications.models import Notification, PushSubscription
from rucher.people.models import AccessToken, Person
from rucher.privacy.models import PrivacySettings
from rucher.recognition.models import BadgeAward, Kudos, RecognitionChoice
from rucher.spaces.models import Membership
from rucher.streams.models import Follow, HideRule, Mute

FORMAT_VERSION = 1


def _when(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def profile_of(person: Person) -> dict[str, Any]:
    return {
        "username": person.username,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "kind": person.kind,
        "organisation": person.organisation.name if person.organisation else None,
        "department": person.department.name if person.department else None,
        "site": person.site.name if person.site else None,
        "job_title": person.job_title,
        "manager_id": person.manager_id,
        "bio": person.bio,
        "languages": person.languages,
        "skills": sorted(t.name for t in person.skills.all()),
        "expertise": sorted(t.name for t in person.expertise.all()),
        "show_influence": person.show_influence,
        "interface_language": person.language,
        "home_stream": person.home_stream,
        "essential_items": person.essential_items,
        "date_joined": _when(person.date_joined),
        "last_login": _when(person.last_login),
        "contacts": sorted(person.favourites.values_list("pk", flat=True)),
    }


def _kudos(kudos: Kudos, other_id: int) -> dict[str, Any]:
    return {
        "person_id": other_id,
        "kind": kudos.kind.slug,
        "message": kudos.message,
        "space": kudos.space.name if kudos.space else None,
        "created_at": _when(kudos.created_at),
    }


def data_of(person: Person) -> dict[str, Any]:
    """Everything of the member's, as plain JSON values."""
    own = Content.objects.filter(author=person).select_related("space").order_by("created_at")
    privacy = PrivacySettings.objects.filter(person=person).first()
    return {
        "format_version": FORMAT_VERSION,
        "profile": profile_of(person),
        "privacy": (
            {
                "fields": privacy.fields,
                "activity": privacy.activity,
                "listed_to_partners": privacy.listed_to_partners,
            }
            if privacy
            else None
        ),
        "content": [
            {
                "id": c.pk,
                "kind": c.kind,
                "space": c.space.name if c.space else None,
                "parent_id": c.parent_id,
                "status": c.status,
                "created_at": _when(c.created_at),
                "text": c.text,
                "topics": sorted(t.name for t in c.topics.all()),
            }
            for c in own.prefetch_related("topics")
        ],
        "reactions": [
            {"content_id": r.content_id, "kind": r.kind, "created_at": _when(r.created_at)}
            for r in Reaction.objects.filter(person=person).order_by("created_at")
        ],
        "votes": [
            {
                "poll_id": v.poll_id,
                "option": v.option.label if v.option else None,
                "score": v.score,
                "created_at": _when(v.created_at),
            }
            for v in PollVote.objects.filter(person=person).select_related("option")
        ],
        "memberships": [
            {
                "space": m.space.name,
                "role": m.role,
                "status": m.status,
                "since": _when(m.created_at),
            }
            for m in Membership.objects.filter(person=person).select_related("space")
        ],
        "follows": [
            {"type": f.target_type, "id": f.target_id, "since": _when(f.created_at)}
            for f in Follow.objects.filter(follower=person)
        ],
        "mutes": [
            {"type": m.target_type, "id": m.target_id} for m in Mute.objects.filter(person=person)
        ],
        "hidden_tags": list(HideRule.objects.filter(person=person).values_list("tag", flat=True)),
        "conversations": conversations_of(person),
        "messages": [
            {
                "id": m.pk,
                "conversation_id": m.conversation_id,
                "created_at": _when(m.created_at),
                "text": m.text,
                "files": [a.name for a in m.attachments.all()],
            }
            for m in Message.objects.filter(author=person)
            .prefetch_related("attachments")
            .order_by("created_at", "pk")
        ],
        "message_reactions": [
            {"message_id": r.message_id, "kind": r.kind, "created_at": _when(r.created_at)}
            for r in MessageReaction.objects.filter(person=person).order_by("created_at")
        ],
        "notifications": [
            {
                "kind": n.kind,
                "subject": n.subject,
                "created_at": _when(n.created_at),
                "read_at": _when(n.read_at),
            }
            for n in Notification.objects.filter(recipient=person).order_by("created_at")
        ],
        # The devices that receive web push: the browser's label and dates; never the
        # endpoint's secret keys.
        "push_devices": [
            {
                "device": d.user_agent,
                "created_at": _when(d.created_at),
                "last_success_at": _when(d.last_success_at),
            }
            for d in PushSubscription.objects.filter(person=person).order_by("created_at")
        ],
        "sign_ins": [
            {"at": _when(e.at), "address": e.address}
            for e in AuditEntry.objects.filter(actor_id=person.pk, action="signed_in").order_by(
                "seq"
            )
        ]
        or [
            {"at": _when(at), "address": None}
            for at in Event.objects.filter(actor_id=person.pk, verb="logged_in").values_list(
                "at", flat=True
            )
        ],
        # Recognition (docs/recognition.md): kudos given and received, badges earned.
        "kudos_given": [
            _kudos(k, k.recipient_id)
            for k in Kudos.objects.filter(giver=person).select_related("kind", "space")
        ],
        "kudos_received": [
            _kudos(k, k.giver_id)
            for k in Kudos.objects.filter(recipient=person).select_related("kind", "space")
        ],
        "badges": [
            {
                "badge": a.rule.name_fr or a.rule.name_en,
                "awarded_at": _when(a.awarded_at),
                "count": a.count,
            }
            for a in BadgeAward.objects.filter(person=person).select_related("rule")
        ],
        "badges_hidden": RecognitionChoice.objects.filter(person=person, hide_badges=True).exists(),
        "tokens": [
            {
                "name": t.name,
                "prefix": t.prefix,
                "created_at": _when(t.created_at),
                "revoked_at": _when(t.revoked_at),
            }
            for t in AccessToken.objects.filter(person=person)
        ],
    }


def conversations_of(person: Person) -> list[dict[str, Any]]:
    """The conversations they take part in: ids, title, the participants' ids, their read
    mark; not the others' words."""
    mine = Participant.objects.filter(person=person).select_related("conversation")
    ids = [p.conversation_id for p in mine]
    people: dict[int, list[int]] = {}
    for conversation_id, person_id in Participant.objects.filter(
        conversation_id__in=ids
    ).values_list("conversation_id", "person_id"):
        people.setdefault(conversation_id, []).append(person_id)
    return [
        {
            "id": p.conversation_id,
            "title": p.conversation.title,
            "participant_ids": sorted(people.get(p.conversation_id, [])),
            "joined_at": _when(p.joined_at),
            "last_read_message_id": p.last_read_id,
        }
        for p in mine.order_by("conversation_id")
    ]


def build_zip(person: Person) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "rucher-data.json",
            json.dumps(data_of(person), ensure_ascii=False, indent=2, default=str),
        )
        attachments = Attachment.objects.filter(content__author=person).order_by("pk")
        for attachment in attachments:
            if not attachment.file or not default_storage.exists(attachment.file.name):
                continue
            with default_storage.open(attachment.file.name, "rb") as stream:
                safe = attachment.name.replace("/", "_").replace("\\", "_")
                archive.writestr(f"attachments/{attachment.pk}-{safe}", stream.read())
        for sent in MessageAttachment.objects.filter(message__author=person).order_by("pk"):
            if not sent.file or not default_storage.exists(sent.file.name):
                continue
            with default_storage.open(sent.file.name, "rb") as stream:
                safe = sent.name.replace("/", "_").replace("\\", "_")
                archive.writestr(f"message-files/{sent.pk}-{safe}", stream.read())
    return buffer.getvalue()
