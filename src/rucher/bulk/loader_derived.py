"""The bulk loader's derived state: what the actions would have left behind the events.

Memberships (joined_space / left_space, authors, owners), one reaction per person and
content, follows, polls and their votes, accepted answers and the denormalised counters.
All of it is computed in memory from a :class:`~rucher.bulk.loader_plan.Planner`.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING

from rucher.bulk.loader_plan import next_id
from rucher.conversations.models import Poll, PollOption, PollVote, Reaction
from rucher.spaces.models import ConfidentialRead, Membership
from rucher.streams.models import Follow
from rucher.text import scrub

if TYPE_CHECKING:
    from rucher.bulk.loader_plan import Planner

MEMBER, OWNER = Membership.Role.MEMBER, Membership.Role.OWNER
COMMUNITY_MANAGER = Membership.Role.COMMUNITY_MANAGER
NPS_SCORES = frozenset(range(11))


def derive(planner: Planner, contract_event_ids: list[int | None]) -> None:
    """Fill the planner's plan with every derived row and counter."""
    order = sorted(range(len(planner.plan.events)), key=lambda i: planner.plan.events[i].at)
    _accepted_answers(planner, order)
    _memberships(planner, order)
    _reactions(planner, order, contract_event_ids)
    _follows(planner, order)
    _polls(planner, order)
    _confidential_reads(planner)


def _accepted_answers(planner: Planner, order: list[int]) -> None:
    """accept_answer leaves one accepted answer per question; the latest acceptance wins."""
    items, events = planner.content_by_pk, planner.plan.events
    chosen = {item.parent_id: item.pk for item in planner.plan.content if item.accepted}
    for i in order:
        event = events[i]
        answer = items.get(event.object_id or 0) if event.verb == "accepted_answer" else None
        if answer is not None and answer.kind == "answer" and answer.parent_id is not None:
            chosen[answer.parent_id] = answer.pk
    for item in planner.plan.content:
        item.accepted = item.kind == "answer" and chosen.get(item.parent_id) == item.pk


def _memberships(planner: Planner, order: list[int]) -> None:
    plan, events = planner.plan, planner.plan.events
    since: dict[tuple[int, int], datetime] = {}
    for i in order:
        event = events[i]
        if event.verb not in ("joined_space", "left_space", "created_space"):
            continue
        space = event.object_id if event.object_type == "space" else event.space_id
        if space is None or space not in planner.space_kind:
            continue
        if event.verb == "left_space":
            since.pop((event.actor_id, space), None)
        else:
            since.setdefault((event.actor_id, space), event.at)
    for item in plan.content:  # writing in a space takes being a member of it
        if item.space_id is not None:
            key = (item.author_id, item.space_id)
            if key not in since or item.created_at < since[key]:
                since[key] = item.created_at
    roles: dict[tuple[int, int], str] = {}
    for event in events:
        if event.verb == "created_space" and event.object_type == "space" and event.object_id:
            roles[(event.actor_id, event.object_id)] = OWNER
    for space_row in plan.spaces:
        if space_row.created_by_id is not None:
            roles[(space_row.created_by_id, space_row.pk)] = OWNER
    for contract_space, extra in planner.spaces_extras.items():
        space_pk = plan.space_ids.get(contract_space)
        for contract_person in extra.get("community_managers", ()):
            person = plan.person_ids.get(contract_person)
            if space_pk is not None and person is not None:
                roles.setdefault((person, space_pk), COMMUNITY_MANAGER)
    for key in roles:
        since.setdefault(key, plan.space_dates.get(key[1], planner.now))
    owned = {space for (person, space), role in roles.items() if role == OWNER}
    first_member: dict[int, tuple[datetime, int]] = {}
    rows: list[tuple[int, int, datetime]] = []
    for (person, space), at in since.items():
        if person in planner.guests and planner.space_kind[space] != "partner":
            plan.notes["guest memberships of internal spaces skipped"] += 1
            continue
        rows.append((person, space, at))
        if (
            person not in planner.guests
            and space not in owned
            and (space not in first_member or at < first_member[space][0])
        ):
            first_member[space] = (at, person)
    for space, (_, person) in first_member.items():  # create_space: a space has an owner
        roles[(person, space)] = OWNER
        plan.notes["spaces given their first member as owner"] += 1
    counts: Counter[int] = Counter()
    pk = next_id(Membership)
    for person, space, at in sorted(rows, key=lambda row: (row[2], row[1], row[0])):
        role = MEMBER if person in planner.guests else roles.get((person, space), MEMBER)
        plan.memberships.append(Membership(pk=pk, space_id=space, person_id=person, role=role))
        plan.membership_dates.append(at)
        counts[space] += 1
        pk += 1
    for space_row in plan.spaces:
        space_row.member_count = counts[space_row.pk]


def _reactions(planner: Planner, order: list[int], contract_ids: list[int | None]) -> None:
    """One reaction per person and content: the latest ``reacted`` event says which, unless an
    ``unreacted`` came after it."""
    plan, events = planner.plan, planner.plan.events
    latest: dict[tuple[int, int], int] = {}
    for i in order:
        event = events[i]
        if (
            event.verb not in ("reacted", "unreacted")
            or event.object_id not in planner.content_by_pk
        ):
            continue
        if event.verb == "unreacted":  # withdrawn: no reaction, unless a later one comes
            latest.pop((event.actor_id, event.object_id), None)
            continue
        if event.value is not None and event.value <= 0:
            # e.g. a down-vote: the product's reactions are all positive; the event stays
            planner.plan.notes["negative reactions kept as events only"] += 1
            latest.pop((event.actor_id, event.object_id), None)
            continue
        latest[(event.actor_id, event.object_id)] = i
    valid = set(Reaction.Kind.values)
    for (person, content), i in latest.items():
        contract_id = contract_ids[i]
        kind = (
            planner.reaction_kinds.get(contract_id, "like") if contract_id is not None else "like"
        )
        stored = kind if kind in valid else "like"
        plan.reactions.append(
            Reaction(content_id=content, person_id=person, kind=stored, created_at=events[i].at)
        )
        row = planner.content_by_pk[content]
        row.reaction_count += 1
        row.reaction_counts[stored] = row.reaction_counts.get(stored, 0) + 1


def _follows(planner: Planner, order: list[int]) -> None:
    plan, events = planner.plan, planner.plan.events
    state: dict[tuple[int, str, int], datetime | None] = {}
    for i in order:
        event = events[i]
        if event.verb not in ("followed", "unfollowed") or event.object_id is None:
            continue
        if event.object_type not in ("person", "space"):
            continue  # topic ids of a dataset mean nothing here
        if event.object_type == "person" and event.object_id == event.actor_id:
            continue
        key = (event.actor_id, event.object_type, event.object_id)
        state[key] = event.at if event.verb == "followed" else None
    pk = next_id(Follow)
    for (follower, target_type, target), at in state.items():
        if at is None:
            continue
        plan.follows.append(
            Follow(pk=pk, follower_id=follower, target_type=target_type, target_id=target)
        )
        plan.follow_dates.append(at)
        pk += 1


def _label(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def _polls(planner: Planner, order: list[int]) -> None:
    """A poll's kind: the one the content table says (``poll_kind``), else the options the
    caller gave make a choice poll; votes that are all whole numbers from 0 to 10 make an NPS
    poll; other values become the options. (A choice poll's votes are option positions, 0,
    1, 2…: without its declared kind an exported choice poll would come back as NPS.)"""
    plan, events = planner.plan, planner.plan.events
    polls = [item for item in plan.content if item.kind == "poll"]
    if not polls:
        return
    contract_of = {db: contract for contract, db in plan.content_ids.items()}
    ballots: dict[int, dict[int, tuple[float, datetime]]] = {item.pk: {} for item in polls}
    for i in order:
        event = events[i]
        if event.verb == "voted" and event.object_id in ballots and event.value is not None:
            ballots[event.object_id].setdefault(event.actor_id, (event.value, event.at))
    poll_pk, option_pk = next_id(Poll), next_id(PollOption)
    for item in polls:
        votes = ballots[item.pk]
        labels = planner.poll_option_labels.get(contract_of[item.pk])
        values = {value for value, _ in votes.values()}
        declared = planner.poll_kinds.get(item.pk)
        scores = all(v == int(v) and int(v) in NPS_SCORES for v in values)
        if declared == "nps" and not scores:
            # Answers outside 0–10 cannot be NPS answers: keep the poll, skip those votes.
            kept = {
                p: (v, a) for p, (v, a) in votes.items() if v == int(v) and int(v) in NPS_SCORES
            }
            plan.notes["votes for no option skipped"] += len(votes) - len(kept)
            votes, values = kept, {value for value, _ in kept.values()}
        nps = declared == "nps" or (declared is None and not labels and bool(votes) and scores)
        kind = Poll.Kind.NPS if nps else Poll.Kind.CHOICE
        plan.polls.append(
            Poll(pk=poll_pk, content_id=item.pk, kind=kind, question=item.text[:300] or "?")
        )
        option_of: dict[float, int] = {}
        if not nps:
            labels = labels or [_label(v) for v in sorted(values)]
            keys = (
                range(len(labels))
                if planner.poll_option_labels.get(contract_of[item.pk])
                else sorted(values)
            )
            for position, (key, label) in enumerate(zip(keys, labels, strict=True)):
                plan.poll_options.append(
                    PollOption(
                        pk=option_pk,
                        poll_id=poll_pk,
                        label=scrub(str(label))[:200],
                        position=position,
                    )
                )
                option_of[float(key)] = option_pk
                option_pk += 1
        for person, (value, at) in votes.items():
            if nps:
                plan.poll_votes.append(
                    PollVote(poll_id=poll_pk, person_id=person, score=int(value))
                )
            elif value in option_of:
                plan.poll_votes.append(
                    PollVote(poll_id=poll_pk, person_id=person, option_id=option_of[value])
                )
            else:
                plan.notes["votes for no option skipped"] += 1
                continue
            plan.vote_dates.append(at)
        poll_pk += 1
    vote_pk = next_id(PollVote)
    for offset, vote in enumerate(plan.poll_votes):
        vote.pk = vote_pk + offset


def _confidential_reads(planner: Planner) -> None:
    """Every read of a confidential space is recorded (spaces.confidential.record_reads does it
    live); a loaded ``viewed`` event in such a space gets its record too."""
    plan = planner.plan
    confidential = {space.pk for space in plan.spaces if space.confidential}
    for event in plan.events:
        if event.verb == "viewed" and event.space_id in confidential:
            plan.confidential_reads.append(
                ConfidentialRead(
                    person_id=event.actor_id,
                    space_id=event.space_id,
                    object_type=event.object_type,
                    object_id=event.object_id,
                    channel="import",
                )
            )
            plan.confidential_read_dates.append(event.at)
    start = next_id(ConfidentialRead)
    for offset, read in enumerate(plan.confidential_reads):
        read.pk = start + offset
