"""The bulk write path: load the four contract tables into the product's database.

Importers and the demo call :func:`load_dataset`. Besides the actions it is the one place
that writes models, so it keeps their invariants: every content has its creation event,
authors are members of the spaces they write in, one reaction per person and content, one
accepted answer per question, partner guests only in partner spaces, counters that match
the rows. It runs in ONE transaction: a failure anywhere leaves the database untouched.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from rucher.activity.models import Event
from rucher.audit import mirror as audit_mirror
from rucher.bulk.loader_derived import derive
from rucher.bulk.loader_plan import Plan, Planner
from rucher.conversations.models import Content, Poll, PollOption, PollVote, Reaction, Topic
from rucher.conversations.rendering import Rendered, render
from rucher.insights.contract import Dataset
from rucher.people.models import Department, Organisation, Person, Site, Tag
from rucher.spaces.models import ConfidentialRead, Membership, Space
from rucher.streams.models import Follow

BATCH = 2000


@dataclass
class LoadReport:
    """What a load wrote; ``str()`` is the one-line summary the commands print."""

    source: str
    counts: dict[str, int] = field(default_factory=dict)
    notes: dict[str, int] = field(default_factory=dict)
    person_ids: dict[int, int] = field(default_factory=dict)  # contract id -> database id
    space_ids: dict[int, int] = field(default_factory=dict)
    content_ids: dict[int, int] = field(default_factory=dict)
    render_seconds: float = 0.0
    seconds: float = 0.0

    def __str__(self) -> str:
        counts = ", ".join(f"{n} {table}" for table, n in self.counts.items())
        notes = "".join(f"; {n} {what}" for what, n in sorted(self.notes.items()) if n)
        return (
            f"{counts} in {self.seconds:.1f} s (Markdown rendering "
            f"{self.render_seconds:.1f} s){notes}"
        )


class _Bars:
    """One rich progress bar per table (silent when ``enabled`` is false)."""

    def __init__(self, enabled: bool) -> None:
        self.progress: Any = None
        if enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self.progress = Progress(
                TextColumn("{task.description:<14}"), BarColumn(), MofNCompleteColumn()
            )

    @contextmanager
    def running(self) -> Iterator[_Bars]:
        if self.progress is None:
            yield self
            return
        with self.progress:
            yield self

    def chunks(self, label: str, rows: Sequence[Any]) -> Iterator[Sequence[Any]]:
        task = self.progress.add_task(label, total=len(rows)) if self.progress else None
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            yield chunk
            if task is not None:
                self.progress.advance(task, len(chunk))
        if task is not None and not rows:
            self.progress.update(task, total=1, completed=1)


def load_dataset(
    dataset: Dataset,
    *,
    source: str,
    people_extras: dict[int, dict[str, Any]] | None = None,
    spaces_extras: dict[int, dict[str, Any]] | None = None,
    poll_options: dict[int, list[str]] | None = None,
    reaction_kinds: dict[int, str] | None = None,
    demo: bool = False,
    progress: bool = True,
) -> LoadReport:
    """Load ``dataset`` (contract ids are mapped to new database ids) in one transaction.

    Extras, keyed by contract id, carry what the contract has no column for:
    ``people_extras`` (username, first_name, last_name, email, kind, job_title, bio,
    languages, skills, expertise, password, show_influence), ``spaces_extras`` (slug,
    description, confidential, owner, community_managers), ``poll_options`` (labels of a
    choice poll; a ``voted`` event's value is the option's position) and ``reaction_kinds``
    (by event id; ``like`` otherwise). Raises ValueError on a dataset that cannot be loaded
    (e.g. its usernames already exist); nothing is written then.
    """
    started = time.perf_counter()
    bars = _Bars(progress)
    with bars.running(), transaction.atomic():
        planner, contract_event_ids, render_seconds = _plan(
            dataset,
            source=source,
            demo=demo,
            people_extras=people_extras or {},
            spaces_extras=spaces_extras or {},
            poll_options=poll_options or {},
            reaction_kinds=reaction_kinds or {},
        )
        derive(planner, contract_event_ids)
        audit_mirror.catch_up()  # live acts before the load stay in the trail one by one
        counts = _write(planner.plan, bars)
        audit_mirror.note_bulk_load(source, counts)
    plan = planner.plan
    return LoadReport(
        source=source,
        counts=counts,
        notes=dict(plan.notes),
        person_ids=plan.person_ids,
        space_ids=plan.space_ids,
        content_ids=plan.content_ids,
        render_seconds=render_seconds,
        seconds=time.perf_counter() - started,
    )


def _plan(
    dataset: Dataset,
    *,
    source: str,
    demo: bool,
    people_extras: dict[int, dict[str, Any]],
    spaces_extras: dict[int, dict[str, Any]],
    poll_options: dict[int, list[str]],
    reaction_kinds: dict[int, str],
) -> tuple[Planner, list[int | None], float]:
    content_rows = dataset.content.to_dicts()
    event_rows = dataset.events.to_dicts()
    planner = Planner(
        source=source,
        demo=demo,
        now=timezone.now(),
        people_extras=people_extras,
        spaces_extras=spaces_extras,
        poll_options=poll_options,
        reaction_kinds=reaction_kinds,
        existing_usernames=set(Person.objects.values_list("username", flat=True)),
        existing_slugs=set(Space.objects.values_list("slug", flat=True)),
    )
    referenced_people = {row["author_id"] for row in content_rows}
    referenced_people.update(row["actor_id"] for row in event_rows)
    referenced_people.update(row["target_id"] for row in event_rows if row["target_id"] is not None)
    demo_hash: dict[str, str] = {}

    def password_for(raw: str) -> str:  # Argon2 is slow on purpose: hash each password once
        if raw not in demo_hash:
            demo_hash[raw] = make_password(raw)
        return demo_hash[raw]

    planner.people(
        dataset.people.to_dicts(), referenced_people, lambda: make_password(None), password_for
    )
    referenced_spaces = {row["space_id"] for row in content_rows if row["space_id"] is not None}
    planner.spaces(dataset.spaces.to_dicts(), referenced_spaces)
    username_ids = {person.username: int(person.pk) for person in planner.plan.people}
    known = set(username_ids)
    render_seconds = 0.0

    def timed_render(text: str) -> Rendered:
        nonlocal render_seconds
        begin = time.perf_counter()
        rendered = render(text, known)
        render_seconds += time.perf_counter() - begin
        return rendered

    planner.content(content_rows, timed_render, username_ids)
    contract_event_ids = planner.events(event_rows)
    return planner, contract_event_ids, render_seconds


def _named(model: type[Model], names: set[str], **defaults: Any) -> dict[str, int]:
    """Ids of the rows called ``names``, creating the missing ones."""
    if not names:
        return {}
    manager = model._default_manager
    manager.bulk_create([model(name=n, **defaults) for n in sorted(names)], ignore_conflicts=True)
    return dict(manager.filter(name__in=names).values_list("name", "pk"))


def _bulk(bars: _Bars, label: str, model: type[Model], rows: Sequence[Model]) -> int:
    for chunk in bars.chunks(label, rows):
        model._default_manager.bulk_create(chunk)
    return len(rows)


def _set_dates(
    model: type[Model], column: str, rows: Sequence[Model], dates: Sequence[datetime]
) -> None:
    """Give rows their historical date: ``auto_now_add`` fields take 'now' on insert."""
    if not rows:
        return
    table = model._meta.db_table
    quote = connection.ops.quote_name
    sql = f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE {quote('id')} = %s"
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(adapt(at), row.pk) for row, at in zip(rows, dates, strict=True)])


def _write(plan: Plan, bars: _Bars) -> dict[str, int]:
    organisations = {}
    for name, partner in plan.organisations.items():
        organisations[name] = Organisation.objects.get_or_create(
            name=name[:200], defaults={"is_partner": partner}
        )[0].pk
    departments = _named(Department, plan.departments)
    sites = _named(Site, plan.sites)
    for person in plan.people:
        organisation, department, site = plan.person_orgs[int(person.pk)]
        person.organisation_id = organisations.get(organisation) if organisation else None
        person.department_id = departments.get(department) if department else None
        person.site_id = sites.get(site) if site else None
    counts = {"people": _bulk(bars, "people", Person, plan.people)}
    tags = _named(Tag, {name for _, name in plan.skills + plan.expertise})
    Person.skills.through.objects.bulk_create(
        [Person.skills.through(person_id=p, tag_id=tags[n]) for p, n in set(plan.skills)],
        batch_size=BATCH,
    )
    Person.expertise.through.objects.bulk_create(
        [Person.expertise.through(person_id=p, tag_id=tags[n]) for p, n in set(plan.expertise)],
        batch_size=BATCH,
    )
    counts["spaces"] = _bulk(bars, "spaces", Space, plan.spaces)
    _set_dates(Space, "created_at", plan.spaces, [plan.space_dates[s.pk] for s in plan.spaces])
    counts["memberships"] = _bulk(bars, "memberships", Membership, plan.memberships)
    _set_dates(Membership, "created_at", plan.memberships, plan.membership_dates)
    counts["content"] = _bulk(bars, "content", Content, plan.content)
    topics = _named(Topic, {name for _, name in plan.content_topics})
    through = Content.topics.through
    counts["topic links"] = _bulk(
        bars,
        "topics",
        through,
        [through(content_id=c, topic_id=topics[name]) for c, name in plan.content_topics],
    )
    mention = Content.mentions.through
    counts["mentions"] = _bulk(
        bars,
        "mentions",
        mention,
        [mention(content_id=c, person_id=p) for c, p in sorted(plan.mentions)],
    )
    counts["reactions"] = _bulk(bars, "reactions", Reaction, plan.reactions)
    counts["polls"] = _bulk(bars, "polls", Poll, plan.polls)
    _bulk(bars, "poll options", PollOption, plan.poll_options)
    counts["votes"] = _bulk(bars, "votes", PollVote, plan.poll_votes)
    _set_dates(PollVote, "created_at", plan.poll_votes, plan.vote_dates)
    counts["follows"] = _bulk(bars, "follows", Follow, plan.follows)
    _set_dates(Follow, "created_at", plan.follows, plan.follow_dates)
    counts["events"] = _bulk(bars, "events", Event, plan.events)
    counts["confidential reads"] = _bulk(
        bars, "confidential", ConfidentialRead, plan.confidential_reads
    )
    _set_dates(ConfidentialRead, "at", plan.confidential_reads, plan.confidential_read_dates)
    # Primary keys were given by hand: PostgreSQL's sequences must move past them.
    models = [
        Person,
        Space,
        Membership,
        Content,
        Poll,
        PollOption,
        PollVote,
        Follow,
        Event,
        ConfidentialRead,
    ]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    return counts
