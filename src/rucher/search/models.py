"""The search index: one row per thing that can be found.

The row holds what the ranking needs (the analysed terms, from ``search.analysis``) and what
a result shows (title, plain text for the snippet, address). It holds no permission: who may
see a row is decided at query time by ``spaces.permissions`` against the live content, people
and spaces (docs/search.md, "How the index stays true").

The full-text side is per engine, made by the migration: on SQLite an FTS5 table
``search_fts`` kept in step by triggers; on PostgreSQL a generated ``tsvector`` column
``document`` with a GIN index. The model does not name either (the ORM never writes them).
"""

from __future__ import annotations

from django.db import models


class Entry(models.Model):
    class Kind(models.TextChoices):
        POST = "post"
        QUESTION = "question"
        COMMENT = "comment"
        ANSWER = "answer"
        POLL = "poll"
        PERSON = "person"
        SPACE = "space"
        TOPIC = "topic"
        ATTACHMENT = "attachment"

    kind = models.CharField(max_length=12, choices=Kind)
    object_id = models.BigIntegerField()
    # The content item whose visibility governs this row: itself for content, the item a
    # file is attached to for attachments, none for people, spaces and topics.
    content_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    title = models.CharField(max_length=300)
    text = models.TextField(blank=True)  # plain text the snippet is cut from
    url = models.CharField(max_length=300)
    lang = models.CharField(max_length=8, blank=True)
    title_terms = models.TextField(blank=True)
    body_terms = models.TextField(blank=True)
    created_at = models.DateTimeField(null=True, blank=True)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "search_entry"
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}: {self.title}"


class ReindexCheckpoint(models.Model):
    """Where an interrupted ``rucher reindex`` resumes: the last id done, per kind."""

    kind = models.CharField(max_length=12, unique=True)
    last_id = models.BigIntegerField(default=0)
    started_at = models.DateTimeField()

    class Meta:
        db_table = "search_reindex_checkpoint"
