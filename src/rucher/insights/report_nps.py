"""The NPS section of the full report: exact NPS from 0–10 polls and the estimate from text.

Which polls are NPS polls: the content table says so (``poll_kind`` "nps"). A choice poll
(``poll_kind`` "choice") never enters, even though its answers (the option's position, 0, 1,
2…) look like scores. Only when the source does not say (no content row for the poll, or a
null ``poll_kind``: an imported dataset) is a poll taken for an NPS poll when every answer is
a whole number from 0 to 10, and it is reported as inferred.

The estimate scores the sentiment of a bounded sample of texts (``max_texts``: each author's
most recent ``texts_per_person`` texts, the respondents of the calibration poll first),
because scoring every text of a 10 M-event network would dominate the whole pass; the
bootstrap interval of ``nps.estimate_nps_from_text`` covers the sampling of people.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from rucher.insights.contract import Dataset
from rucher.insights.nps import estimate_nps_for_people, nps, poll_nps
from rucher.insights.results import not_enough_data
from rucher.insights.sentiment import Method, content_sentiment

MAX_POLLS = 20
MAX_QUESTION = 300
MAX_TEXTS = 5_000
TEXTS_PER_PERSON = 3
SENTIMENT_METHOD: Method = "lexicon"


def nps_polls(events: pl.DataFrame, polls: pl.DataFrame | None = None) -> pl.DataFrame:
    """``poll_id, answers, last_at, question, inferred`` of the NPS polls, most answered
    first. ``polls`` is a content table (its ``poll`` rows give each poll's kind and
    question); without it, or for a poll it does not describe, the kind is inferred."""
    answered = (
        events.lazy()
        .filter(
            (pl.col("verb") == "voted")
            & (pl.col("object_type") == "poll")
            & pl.col("object_id").is_not_null()
        )
        .group_by(pl.col("object_id").alias("poll_id"))
        .agg(
            pl.len().alias("answers"),
            pl.col("at").max().alias("last_at"),
            (
                pl.col("value").is_not_null()
                & pl.col("value").is_between(0, 10)
                & (pl.col("value") == pl.col("value").round(0))
            )
            .all()
            .alias("scale_0_10"),
        )
    )
    described = poll_kinds(polls)
    return (
        answered.join(described.lazy(), on="poll_id", how="left")
        .filter(
            (pl.col("poll_kind") == "nps") | (pl.col("poll_kind").is_null() & pl.col("scale_0_10"))
        )
        .select(
            "poll_id",
            "answers",
            "last_at",
            "question",
            pl.col("poll_kind").is_null().alias("inferred"),
        )
        .sort(["answers", "poll_id"], descending=[True, False])
        .collect()
    )


def poll_kinds(polls: pl.DataFrame | None) -> pl.DataFrame:
    """``poll_id, poll_kind, question`` of the poll rows of a content table."""
    schema = {"poll_id": pl.Int64, "poll_kind": pl.Utf8, "question": pl.Utf8}
    if polls is None or polls.height == 0:
        return pl.DataFrame(schema=schema)
    kind = pl.col("poll_kind") if "poll_kind" in polls.columns else pl.lit(None, dtype=pl.Utf8)
    text = pl.col("text") if "text" in polls.columns else pl.lit(None, dtype=pl.Utf8)
    return (
        polls.filter(pl.col("kind") == "poll")
        .select(
            pl.col("content_id").alias("poll_id"),
            kind.alias("poll_kind"),
            text.str.strip_chars().str.slice(0, MAX_QUESTION).alias("question"),
        )
        .unique("poll_id", keep="last")
        .cast(schema)  # type: ignore[arg-type]
    )


def choice_polls_answered(events: pl.DataFrame, polls: pl.DataFrame | None) -> int:
    """How many answered polls were left out because the content table calls them choice
    polls (said in the section, so a reader knows why a poll is missing)."""
    described = poll_kinds(polls).filter(pl.col("poll_kind") == "choice")
    voted = events.filter((pl.col("verb") == "voted") & (pl.col("object_type") == "poll"))
    return described.join(
        voted.select(pl.col("object_id").alias("poll_id")).unique(), on="poll_id", how="semi"
    ).height


def _latest_answers(events: pl.DataFrame, poll_ids: list[int]) -> pl.Series:
    """Each person's latest answer over all the NPS polls (one voice per person)."""
    return (
        events.filter(
            (pl.col("verb") == "voted")
            & (pl.col("object_type") == "poll")
            & pl.col("object_id").is_in(poll_ids)
        )
        .sort("at")
        .group_by("actor_id")
        .agg(pl.col("value").last())
        .get_column("value")
    )


def _text_sample(
    content: pl.DataFrame, priority: pl.DataFrame, max_texts: int, per_person: int
) -> pl.DataFrame:
    """The most recent ``per_person`` texts of each author, priority authors first."""
    with_text = content.lazy().filter(
        pl.col("text").is_not_null() & (pl.col("text").str.strip_chars() != "")
    )
    latest = (
        with_text.sort("created_at", descending=True)
        .group_by("author_id", maintain_order=True)
        .head(per_person)
        .join(
            priority.lazy().select(pl.col("person_id").alias("author_id"), pl.lit(0).alias("rank")),
            on="author_id",
            how="left",
        )
        .with_columns(pl.col("rank").fill_null(1))
        # A stable pseudo-random order of authors: hash, not the first ids.
        .sort("rank", pl.col("author_id").hash(seed=0))
        .head(max_texts)
    )
    return latest.drop("rank").collect()


def nps_section(
    dataset: Dataset,
    *,
    polls: pl.DataFrame | None = None,
    max_texts: int = MAX_TEXTS,
    texts_per_person: int = TEXTS_PER_PERSON,
    sentiment_method: Method = SENTIMENT_METHOD,
) -> dict[str, Any]:
    """``polls`` (one exact NPS per NPS poll, at most MAX_POLLS, with its question),
    ``overall`` (everyone's latest answer across them), ``estimated`` (from text, calibrated
    on the most answered poll when its respondents wrote) and ``choice_polls_left_out``.

    ``polls`` is the content table that describes the polls (kind and question); by default
    the dataset's own. A caller that cut the content to some authors (a department's page)
    passes the uncut table, so a choice poll is still known as one."""
    described = dataset.content if polls is None else polls
    found = nps_polls(dataset.events, described)
    poll_ids = found.get_column("poll_id").to_list()
    per_poll = {}
    for pid, question, inferred in (
        found.select("poll_id", "question", "inferred").head(MAX_POLLS).iter_rows()
    ):
        result = poll_nps(dataset.events, pid)
        result.parameters |= {"question": question, "kind_inferred": inferred}
        per_poll[str(pid)] = result.to_dict()
    if poll_ids:
        overall = nps(_latest_answers(dataset.events, poll_ids), name="nps.overall")
        overall.parameters["polls"] = len(poll_ids)
    else:
        overall = not_enough_data(
            "nps.overall", "NPS of each person's latest 0–10 answer across the NPS polls", 0, 1
        )
    calibration_poll = poll_ids[0] if poll_ids else None
    respondents = (
        dataset.events.filter(
            (pl.col("verb") == "voted")
            & (pl.col("object_type") == "poll")
            & (pl.col("object_id") == calibration_poll)
        )
        .select(pl.col("actor_id").alias("person_id"))
        .unique()
        if calibration_poll is not None
        else pl.DataFrame(schema={"person_id": pl.Int64})
    )
    sample = _text_sample(dataset.content, respondents, max_texts, texts_per_person)
    scored = content_sentiment(sample, sentiment_method)
    estimated = estimate_nps_for_people(scored, dataset.events, calibration_poll)
    estimated.name = "nps.estimated"
    estimated.parameters |= {
        "sentiment_method": sentiment_method,
        "texts_scored": scored.height,
        "max_texts": max_texts,
        "texts_per_person": texts_per_person,
        "calibration_poll_id": calibration_poll,
    }
    # The evidence lists every person's id: the estimate is a group figure, keep it so.
    estimated.evidence = None
    return {
        "polls": per_poll,
        "overall": overall.to_dict(),
        "estimated": estimated.to_dict(),
        "choice_polls_left_out": choice_polls_answered(dataset.events, described),
    }
