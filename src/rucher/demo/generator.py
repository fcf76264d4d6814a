"""Generate Groupe Orvanne as contract tables, deterministically for a seed.

The output is what an importer produces (a :class:`Dataset`) plus the extras the contract
has no column for (usernames, passwords, job titles, space owners, poll options, reaction
kinds); ``rucher demo`` hands both to the bulk loader. Activity is deliberately unequal:
each person has a writing weight drawn from a heavy-tailed (lognormal) law and a third of
the staff are readers who almost never write but do read, react and vote.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl

from rucher.conversations.rendering import extract
from rucher.demo.activity import Activity, Person
from rucher.demo.organisation import (
    COMPANY,
    DEFAULT_ITEMS,
    DEFAULT_PEOPLE,
    DEFAULT_SEED,
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    DEPARTMENTS,
    HUBS,
    PARTNERS,
    SITES,
    SPACES,
    SpaceSpec,
)
from rucher.insights.contract import Dataset


@dataclass
class DemoData:
    dataset: Dataset
    people_extras: dict[int, dict[str, Any]]
    spaces_extras: dict[int, dict[str, Any]]
    poll_options: dict[int, list[str]]
    reaction_kinds: dict[int, str]
    stats: dict[str, int]


def _ascii(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum() or c in ".-") or "x"


class _Generator(Activity):
    def _username(self, first: str, last: str) -> str:
        base = f"{_ascii(first)}.{_ascii(last)}"[:140]
        name, n = base, 1
        while name in self.usernames:
            n += 1
            name = f"{base}{n}"
        self.usernames.add(name)
        return name

    def _writing_weight(self) -> float:
        if self.rng.random() < 0.35:  # readers: they read, react, vote, rarely write
            return 0.01
        return self.rng.lognormvariate(0.0, 1.4)

    def _person(
        self,
        department: str | None,
        organisation: str,
        kind: str = "employee",
        first: str = "",
        last: str = "",
        username: str = "",
    ) -> Person:
        english = not first and self.rng.random() < 0.04
        fake = self.fake_en if english else self.fake
        first, last = first or fake.first_name(), last or fake.last_name()
        spec = next((d for d in DEPARTMENTS if d.name == department), None)
        site = self.rng.choices(SITES, weights=spec.site_weights)[0] if spec else None
        person = Person(
            id=len(self.people) + 1,
            first=first,
            last=last,
            username=username or self._username(first, last),
            department=department,
            site=site,
            organisation=organisation,
            kind=kind,
            english=english,
            writing=self._writing_weight(),
        )
        if username:
            self.usernames.add(username)
        if spec is not None:
            person.job = self.rng.choice(spec.jobs)
            skills = self.rng.sample(spec.skills, min(len(spec.skills), self.rng.randint(2, 4)))
            person.extras.update(
                skills=skills,
                expertise=skills[: self.rng.randint(1, 2)],
                languages="en,fr" if english else self.rng.choice(("fr", "fr", "fr", "fr,en")),
                bio=self.writer.bio(person.job, skills[0], site or SITES[0]),
                show_influence=self.rng.random() < 0.3,
            )
        self.people.append(person)
        return person

    def make_people(self) -> None:
        guests = {p.name: min(p.guests, max(1, self.size // 40)) for p in PARTNERS}
        accounts = {a.username: a for a in DEMO_ACCOUNTS}
        for account in DEMO_ACCOUNTS:
            organisation = PARTNERS[0].name if account.kind == "partner" else COMPANY
            person = self._person(
                account.department,
                organisation,
                "partner" if account.kind == "partner" else "employee",
                account.first_name,
                account.last_name,
                account.username,
            )
            person.job = account.job_title
            person.writing = {"animatrice": 8.0, "employe": 2.5}.get(account.username, 1.0)
            person.extras.update(
                kind=account.kind,
                password=DEMO_PASSWORD,
                email=f"{account.username}@orvanne.example",
            )
        employees = self.size - sum(guests.values()) - len(accounts) + 1  # partenaire is a guest
        total = sum(d.weight for d in DEPARTMENTS)
        heads = {d.name: max(2, round(employees * d.weight / total)) for d in DEPARTMENTS}
        heads["Production"] += employees - sum(heads.values())  # exactly ``people`` accounts
        for spec in DEPARTMENTS:
            for _ in range(heads[spec.name]):
                self._person(spec.name, COMPANY)
        for partner in PARTNERS:
            for _ in range(guests[partner.name] - (partner is PARTNERS[0])):
                guest = self._person(None, partner.name, "partner")
                guest.job = self.rng.choice(partner.jobs)
        self._org_chart()
        for person in self.people:
            person.extras.setdefault("username", person.username)
            person.extras.setdefault("first_name", person.first)
            person.extras.setdefault("last_name", person.last)
            person.extras.setdefault("job_title", person.job)

    def _org_chart(self) -> None:
        by_department: dict[str, list[Person]] = {}
        for person in self.people:
            if person.kind == "employee" and person.department:
                by_department.setdefault(person.department, []).append(person)
        staff = [
            p
            for p in by_department["Direction générale"]
            if p.username not in {a.username for a in DEMO_ACCOUNTS}
        ]
        ceo = staff[0]
        ceo.job = "Directeur général"
        self.directors: dict[str, Person] = {}
        self.leads: list[Person] = []
        for name, team in by_department.items():
            regular = [p for p in team if p.username not in {a.username for a in DEMO_ACCOUNTS}]
            head = ceo if name == "Direction générale" else regular[0]
            if head is not ceo:
                head.job, head.manager = f"Directeur·rice {name}", ceo.id
            head.writing = max(head.writing, 1.5)
            self.directors[name] = head
            rest = [p for p in team if p is not head]
            leads = [p for p in rest if p in regular][: max(0, len(rest) // 8)]
            for lead in leads:
                lead.job, lead.manager = "Responsable d'équipe", head.id
            self.leads.extend(leads)
            for index, person in enumerate(p for p in rest if p not in leads):
                person.manager = leads[index % len(leads)].id if leads else head.id

    # -- spaces -------------------------------------------------------------------------
    def _audience(self, spec: SpaceSpec) -> list[Person]:
        staff = [p for p in self.people if p.kind == "employee"]
        kind, _, value = spec.audience.partition(":")
        if kind == "all":
            return staff
        if kind == "department":
            return [p for p in staff if p.department == value]
        if kind == "site":
            return [p for p in staff if p.site == value]
        if kind == "managers":
            bosses = {p.id for p in self.leads} | {p.id for p in self.directors.values()}
            return [p for p in staff if p.id in bosses]
        if kind == "partner":
            guests = [p for p in self.people if p.organisation == value]
            themed = [p for p in staff if p.department in spec.themes]
            return guests + self.rng.sample(themed, min(len(themed), 8))
        count = max(5, round(len(staff) * spec.share))
        weights = [1.0 + min(p.writing, 5.0) for p in staff]
        chosen: dict[int, Person] = {}
        while len(chosen) < min(count, len(staff)):
            person = self.rng.choices(staff, weights=weights)[0]
            chosen[person.id] = person
        return sorted(chosen.values(), key=lambda p: p.id)

    def make_spaces(self) -> list[dict[str, Any]]:
        by_name = {
            a.username: p for p in self.people for a in DEMO_ACCOUNTS if p.username == a.username
        }
        animatrice, employe = by_name["animatrice"], by_name["employe"]
        ids = {spec.name: i for i, spec in enumerate(SPACES, start=1)}
        rows = []
        for spec in SPACES:
            space = ids[spec.name]
            self.specs[space] = spec
            audience = self._audience(spec)
            if spec.hub is not None or spec.name in HUBS:
                owner = animatrice
            elif spec.audience.startswith("department:"):
                owner = self.directors[spec.audience.split(":", 1)[1]]
            else:
                candidates = [p for p in audience if p.kind == "employee"] or audience
                owner = max(candidates[:40], key=lambda p: p.writing)
            if employe not in audience and (
                spec.confidential
                or spec.name
                in ("Sport et bien-être", PARTNERS[0].space, "Entraide outils bureautiques")
            ):
                audience.append(employe)
            members = [owner.id] + [p.id for p in audience if p.id != owner.id]
            self.members[space] = members
            self.owner[space] = owner.id
            created = self.start - timedelta(days=self.rng.randint(20, 400))
            self.space_created[space] = created
            rows.append(
                {
                    "space_id": space,
                    "name": spec.name,
                    "kind": spec.kind,
                    "visibility": spec.visibility,
                    "parent_id": ids.get(spec.hub or ""),
                    "created_at": created,
                }
            )
            self._event(created, owner.id, "created_space", "space", space, space)
            restricted = spec.visibility != "open" or spec.kind == "partner"
            for member in members[1:]:
                joined = created + timedelta(days=self.rng.expovariate(1 / 60))
                joined = min(joined, self.until - timedelta(days=1))
                if restricted:
                    self._event(
                        joined - timedelta(hours=2),
                        owner.id,
                        "invited",
                        "space",
                        space,
                        space,
                        target=member,
                    )
                self._event(joined, member, "joined_space", "space", space, space)
        return rows

    def spaces_extras(self) -> dict[int, dict[str, Any]]:
        animatrice = next(p.id for p in self.people if p.username == "animatrice")
        return {
            space: {
                "description": spec.description,
                "confidential": spec.confidential,
                "owner": self.owner[space],
                "community_managers": [animatrice] if spec.hub or spec.name in HUBS else [],
            }
            for space, spec in self.specs.items()
        }

    # -- activity -----------------------------------------------------------------------
    def tables(self, space_rows: list[dict[str, Any]]) -> tuple[Dataset, dict[int, str]]:
        self.content.sort(key=lambda c: (c.at, c.key))
        for index, item in enumerate(self.content, start=1):
            item.id = index
        by_key = {c.key: c for c in self.content}
        person_of = {p.username: p.id for p in self.people}
        content_rows = []
        for item in self.content:
            _, topics, _ = extract(item.text)
            content_rows.append(
                {
                    "content_id": item.id,
                    "kind": item.kind,
                    "author_id": item.author,
                    "space_id": item.space,
                    "parent_id": item.parent.id if item.parent else None,
                    "root_id": item.root.id,
                    "created_at": item.at,
                    "text": item.text,
                    "lang": item.lang,
                    "topics": topics,
                    "accepted": item.accepted if item.kind == "answer" else None,
                }
            )
            verb = {
                "post": "posted",
                "poll": "posted",
                "question": "asked",
                "comment": "commented",
                "answer": "answered",
            }[item.kind]
            self._event(
                item.at,
                item.author,
                verb,
                item.kind,
                item.key,
                item.space,
                target=item.parent.author if item.parent else None,
                item=item,
            )
            for username in extract(item.text)[0]:
                target = person_of.get(username)
                if target is not None:
                    self._event(
                        item.at,
                        item.author,
                        "mentioned",
                        item.kind,
                        item.key,
                        item.space,
                        target=target,
                        item=item,
                    )
        self.events.sort(key=lambda e: e["at"])
        reaction_kinds: dict[int, str] = {}
        event_rows = []
        for event_id, row in enumerate(self.events, start=1):
            item = row.pop("item")
            reaction = row.pop("reaction", None)
            if item is not None:
                row["object_id"] = by_key[item.key].id
            if reaction is not None:
                reaction_kinds[event_id] = reaction
            event_rows.append({"event_id": event_id, **row})
        people_rows = [
            {
                "person_id": p.id,
                "display_name": f"{p.first} {p.last}",
                "department": p.department,
                "site": p.site,
                "kind": "partner" if p.kind == "partner" else "employee",
                "organisation": p.organisation,
                "manager_id": p.manager,
                "joined_at": self.start - timedelta(days=30 + (p.id * 37) % 3000),
                "left_at": None,
            }
            for p in self.people
        ]
        dataset = Dataset(
            people=pl.DataFrame(people_rows, infer_schema_length=None),
            spaces=pl.DataFrame(space_rows, infer_schema_length=None),
            content=pl.DataFrame(content_rows, infer_schema_length=None),
            events=pl.DataFrame(event_rows, infer_schema_length=None),
        )
        return dataset, reaction_kinds


def generate(
    seed: int = DEFAULT_SEED,
    *,
    people: int = DEFAULT_PEOPLE,
    items: int = DEFAULT_ITEMS,
    until: datetime | None = None,
) -> DemoData:
    """Groupe Orvanne for ``seed``: ``people`` accounts and about ``items`` posts, comments
    and reactions over the 12 months before ``until`` (default: today, 00:00 UTC)."""
    end = until or datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    gen = _Generator(seed, people, items, end)
    gen.make_people()
    space_rows = gen.make_spaces()
    gen.make_content()
    gen.make_reactions_and_reads()
    options = gen.make_polls_and_follows()
    dataset, reaction_kinds = gen.tables(space_rows)
    poll_options = {
        by.id: labels for key, labels in options.items() for by in gen.content if by.key == key
    }
    kinds = dataset.content.get_column("kind").value_counts()
    stats = dict(zip(kinds["kind"].to_list(), kinds["count"].to_list(), strict=True))
    stats["reactions"] = len(reaction_kinds)
    stats["people"], stats["spaces"] = dataset.people.height, dataset.spaces.height
    stats["events"] = dataset.events.height
    return DemoData(
        dataset=dataset,
        people_extras={p.id: p.extras for p in gen.people},
        spaces_extras=gen.spaces_extras(),
        poll_options=poll_options,
        reaction_kinds=reaction_kinds,
        stats=stats,
    )
