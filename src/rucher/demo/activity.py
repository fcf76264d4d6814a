"""The demo's activity: posts, questions, replies, reactions, reads, polls and follows.

Who writes is drawn from each person's writing weight (heavy-tailed), who reads and reacts
from a flatter reading weight, and what draws attention from each item's lognormal "buzz",
so a few people and a few threads gather most of the activity, as in real networks.
"""

from __future__ import annotations

import random
from bisect import bisect
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import accumulate
from typing import Any

from rucher.demo import texts
from rucher.demo.organisation import DEPARTMENTS, SpaceSpec

REACTION_KINDS = ("like", "celebrate", "support", "insightful", "curious")
REACTION_WEIGHTS = (55, 14, 10, 13, 8)


@dataclass
class Person:
    id: int
    first: str
    last: str
    username: str
    department: str | None
    site: str | None
    organisation: str
    kind: str = "employee"
    job: str = ""
    manager: int | None = None
    writing: float = 1.0  # how much this person writes
    english: bool = False
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass
class Item:
    key: int
    kind: str
    author: int
    space: int
    at: datetime
    text: str
    parent: Item | None = None
    lang: str = "fr"
    buzz: float = 1.0  # how much attention it draws
    accepted: bool = False
    id: int = 0

    @property
    def root(self) -> Item:
        return self if self.parent is None else self.parent.root


class Activity:
    """The generator's state and its activity half (the people half is in generator.py)."""

    def __init__(self, seed: int, people: int, items: int, until: datetime) -> None:
        from faker import Faker

        self.rng = random.Random(seed)
        self.fake, self.fake_en = Faker("fr_FR"), Faker("en_GB")
        self.fake.seed_instance(seed)
        self.fake_en.seed_instance(seed + 1)
        self.writer = texts.Writer(self.rng)
        self.size, self.items = max(people, 40), max(items, 200)
        self.until = until
        self.start = until - timedelta(days=365)
        self.people: list[Person] = []
        self.usernames: set[str] = set()
        self.members: dict[int, list[int]] = {}  # space id -> person ids
        self.specs: dict[int, SpaceSpec] = {}
        self.owner: dict[int, int] = {}
        self.space_created: dict[int, datetime] = {}
        self.content: list[Item] = []
        self.events: list[dict[str, Any]] = []
        self.reaction_kinds: dict[int, str] = {}  # event key -> kind

    # -- people -------------------------------------------------------------------------
    def _event(
        self,
        at: datetime,
        actor: int,
        verb: str,
        object_type: str,
        object_id: int,
        space: int | None,
        *,
        target: int | None = None,
        value: float | None = None,
        item: Item | None = None,
    ) -> dict[str, Any]:
        row = {
            "at": at,
            "actor_id": actor,
            "verb": verb,
            "object_type": object_type,
            "object_id": object_id,
            "space_id": space,
            "target_id": target,
            "value": value,
            "item": item,
        }
        self.events.append(row)
        return row

    def _when(self) -> datetime:
        """A working moment in the last 12 months (weekends are quiet)."""
        while True:
            day = self.start + timedelta(days=self.rng.random() * 365)
            if day.weekday() < 5 or self.rng.random() < 0.12:
                return day.replace(
                    hour=self.rng.choice((8, 9, 9, 10, 11, 11, 13, 14, 15, 16, 17, 18)),
                    minute=self.rng.randrange(60),
                    second=self.rng.randrange(60),
                )

    def _pickers(self) -> None:
        by_id = {p.id: p for p in self.people}
        self.person = by_id
        self.write_cum = {
            s: list(accumulate(by_id[m].writing for m in ms)) for s, ms in self.members.items()
        }
        self.read_cum = {
            s: list(accumulate(0.5 + min(by_id[m].writing, 3.0) for m in ms))
            for s, ms in self.members.items()
        }
        space_ids = list(self.specs)
        self.space_ids = space_ids
        self.space_cum = list(
            accumulate(self.specs[s].activity * len(self.members[s]) ** 0.5 for s in space_ids)
        )

    def _choose(self, space: int, cum: dict[int, list[float]]) -> int:
        weights = cum[space]
        return self.members[space][bisect(weights, self.rng.random() * weights[-1])]

    def _mention(self, space: int, author: int) -> str:
        if self.rng.random() > 0.25:
            return ""
        other = self._choose(space, self.read_cum)
        return self.person[other].username if other != author else ""

    def _new(
        self,
        kind: str,
        author: int,
        space: int,
        at: datetime,
        text: str,
        parent: Item | None = None,
        english: bool = False,
    ) -> Item:
        item = Item(
            key=len(self.content),
            kind=kind,
            author=author,
            space=space,
            at=at,
            text=text,
            parent=parent,
            buzz=self.rng.lognormvariate(0, 1),
            lang="en" if english else "fr",
        )
        self.content.append(item)
        return item

    def make_content(self) -> None:
        self._pickers()
        roots_wanted = round(self.items * 0.2)
        replies_wanted = round(self.items * 0.3)
        roots: list[Item] = []
        for _ in range(roots_wanted):
            space = self.space_ids[bisect(self.space_cum, self.rng.random() * self.space_cum[-1])]
            spec = self.specs[space]
            author = self._choose(space, self.write_cum)
            who = self.person[author]
            english = self.rng.random() < (0.5 if who.english else spec.english)
            themes = [d for d in DEPARTMENTS if d.name in spec.themes] or list(DEPARTMENTS)
            topics = [t for d in themes for t in d.topics]
            subjects = [s for d in themes for s in (d.subjects_en if english else d.subjects)]
            subjects = subjects or list(texts.GENERIC_SUBJECTS_EN)
            at = self._when()
            if spec.tag and self.rng.random() < 0.7:
                kind, text = "post", self.writer.tagged(spec.tag, who.first)
            elif self.rng.random() < 0.15:
                kind, text = "question", self.writer.question(subjects, topics, english)
            else:
                mention = self._mention(space, author)
                kind = "post"
                text = self.writer.post(subjects, topics, mention, who.first, english)
            roots.append(self._new(kind, author, space, at, text, english=english and not spec.tag))
        roots.sort(key=lambda item: item.at)
        root_cum = list(accumulate(r.buzz for r in roots))
        replies = 0
        while replies < replies_wanted:
            root = roots[bisect(root_cum, self.rng.random() * root_cum[-1])]
            at = root.at + timedelta(hours=self.rng.expovariate(1 / 20))
            if at >= self.until:
                continue
            author = self._choose(root.space, self.write_cum)
            english = self.rng.random() < max(
                self.specs[root.space].english, 0.5 if self.person[author].english else 0.0
            )
            mention = self._mention(root.space, author)
            if root.kind == "question":
                if author == root.author:
                    continue
                item = self._new(
                    "answer",
                    author,
                    root.space,
                    at,
                    self.writer.answer(mention, english),
                    root,
                    english,
                )
            else:
                earlier = [c for c in self.content[-40:] if c.parent is root and c.at < at]
                parent = self.rng.choice(earlier) if earlier and self.rng.random() < 0.2 else root
                item = self._new(
                    "comment",
                    author,
                    root.space,
                    at,
                    self.writer.comment(mention, self.person[parent.author].first, english),
                    parent,
                    english,
                )
            item.buzz = root.buzz * 0.3
            replies += 1
        self._accept_answers(roots)

    def _accept_answers(self, roots: list[Item]) -> None:
        answers: dict[int, list[Item]] = {}
        for item in self.content:
            if item.kind == "answer" and item.parent is not None:
                answers.setdefault(item.parent.key, []).append(item)
        for question in roots:
            candidates = answers.get(question.key)
            if question.kind != "question" or not candidates or self.rng.random() > 0.65:
                continue
            chosen = self.rng.choice(candidates)
            chosen.accepted = True
            at = min(chosen.at + timedelta(hours=self.rng.randint(1, 48)), self.until)
            self._event(
                at,
                question.author,
                "accepted_answer",
                "answer",
                chosen.key,
                question.space,
                target=chosen.author,
                item=chosen,
            )

    def make_reactions_and_reads(self) -> None:
        cum = list(accumulate(c.buzz for c in self.content))
        seen: set[tuple[int, int]] = set()
        wanted = round(self.items * 0.5)
        while len(seen) < wanted:
            item = self.content[bisect(cum, self.rng.random() * cum[-1])]
            person = self._choose(item.space, self.read_cum)
            if person == item.author or (person, item.key) in seen:
                continue
            seen.add((person, item.key))
            at = item.at + timedelta(hours=self.rng.expovariate(1 / 12))
            if at >= self.until:
                at = self.until - timedelta(minutes=self.rng.randint(1, 600))
                if at < item.at:
                    continue
            row = self._event(
                at,
                person,
                "reacted",
                item.kind,
                item.key,
                item.space,
                target=item.author,
                value=1.0,
                item=item,
            )
            row["reaction"] = self.rng.choices(REACTION_KINDS, weights=REACTION_WEIGHTS)[0]
        roots = [c for c in self.content if c.parent is None]
        root_cum = list(accumulate(c.buzz for c in roots))
        views: set[tuple[int, int]] = set()
        for _ in range(round(self.items * 1.2)):
            item = roots[bisect(root_cum, self.rng.random() * root_cum[-1])]
            person = self._choose(item.space, self.read_cum)
            if (person, item.key) in views or person == item.author:
                continue
            views.add((person, item.key))
            at = min(
                item.at + timedelta(hours=self.rng.expovariate(1 / 30)),
                self.until - timedelta(seconds=1),
            )
            self._event(at, person, "viewed", item.kind, item.key, item.space, item=item)

    def make_polls_and_follows(self) -> dict[int, list[str]]:
        animatrice = next(p.id for p in self.people if p.username == "animatrice")
        space_of = {spec.name: s for s, spec in self.specs.items()}
        options: dict[int, list[str]] = {}
        for name, question, labels, day in (
            ("Actualités Orvanne", texts.NPS_QUESTION, None, 45),
            ("Vie d'Orvanne", texts.CHOICE_QUESTION, texts.CHOICE_OPTIONS, 80),
        ):
            space = space_of[name]
            poll = self._new("poll", animatrice, space, self.until - timedelta(days=day), question)
            if labels:
                options[poll.key] = list(labels)
            voters = [m for m in self.members[space] if self.rng.random() < 0.35]
            for voter in voters:
                if labels:
                    value = float(self.rng.choices(range(len(labels)), weights=(5, 2, 4, 3))[0])
                else:  # promoters 9–10, passives 7–8, detractors 0–6
                    value = float(
                        self.rng.choices(range(11), weights=(1, 1, 1, 2, 2, 3, 5, 12, 14, 10, 7))[0]
                    )
                at = poll.at + timedelta(hours=self.rng.expovariate(1 / 48))
                self._event(
                    min(at, self.until),
                    voter,
                    "voted",
                    "poll",
                    poll.key,
                    space,
                    value=value,
                    item=poll,
                )
        staff = [p for p in self.people if p.kind == "employee"]
        popular = sorted(staff, key=lambda p: -p.writing)[:30]
        for person in staff:
            targets = {person.manager} if person.manager else set()
            for _ in range(self.rng.randint(0, 4)):
                targets.add(self.rng.choice(popular).id)
            for target in sorted(t for t in targets if t is not None and t != person.id):
                self._event(
                    self._when(), person.id, "followed", "person", target, None, target=target
                )
        return options

    # -- tables -------------------------------------------------------------------------
