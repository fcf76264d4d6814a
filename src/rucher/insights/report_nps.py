"""The NPS section of the full report: exact NPS from 0–10 polls and the estimate from text.

Which polls are NPS polls: a poll (``voted`` events on ``object_type`` "poll") all of whose
answers carry a whole-number value from 0 to 10. Choice polls store no such value.

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
MAX_TEXTS = 5_000
TEXTS_PER_PERSON = 3
SENTIMENT_METHOD: Method = "lexicon"


def nps_polls(events: pl.DataFrame) -> pl.DataFrame:
    """``poll_id, answers, last_at`` of the NPS polls, most answered first."""
    return (
        events.lazy()
        .filter((pl.col("verb") == "voted") & (pl.col("object_type") == "poll"))
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
        .filter(pl.col("scale_0_10") & pl.col("poll_id").is_not_null())
        .drop("scale_0_10")
        .sort(["answers", "poll_id"], descending=[True, False])
        .collect()
    )


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
    max_texts: int = MAX_TEXTS,
    texts_per_person: int = TEXTS_PER_PERSON,
    sentiment_method: Method = SENTIMENT_METHOD,
) -> dict[str, Any]:
    """``polls`` (one exact NPS per NPS poll, at most MAX_POLLS), ``overall`` (everyone's
    latest answer across them) and ``estimated`` (from text, calibrated on the most answered
    poll when its respondents wrote)."""
    polls = nps_polls(dataset.events)
    poll_ids = polls.get_column("poll_id").to_list()
    per_poll = {str(pid): poll_nps(dataset.events, pid).to_dict() for pid in poll_ids[:MAX_POLLS]}
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
    return {"polls": per_poll, "overall": overall.to_dict(), "estimated": estimated.to_dict()}
