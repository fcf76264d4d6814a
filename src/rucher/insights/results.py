"""Typed, explainable results: every figure carries how it was computed and its evidence."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["ok", "not_enough_data"]

# Aggregates about people (sentiment, motivation) are never shown for smaller groups.
MIN_GROUP_SIZE = 5


@dataclass
class Result:
    """One figure: its value, the method in words, the parameters, the denominator, the evidence.

    ``evidence`` holds ids (people, content, events) from which the value can be re-computed.
    ``status`` is ``not_enough_data`` when the denominator is below the method's minimum; the
    value is then ``None`` and ``note`` says ``n < k``.
    """

    name: str
    value: Any
    method: str
    parameters: dict[str, Any] = field(default_factory=dict)
    denominator: Any = None
    evidence: Any = None
    status: Status = "ok"
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return jsonable(asdict(self))

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def not_enough_data(
    name: str, method: str, n: int, k: int, parameters: dict[str, Any] | None = None
) -> Result:
    return Result(
        name=name,
        value=None,
        method=method,
        parameters=parameters or {},
        denominator=n,
        status="not_enough_data",
        note=f"not enough data (n = {n} < {k})",
    )


def safe_ratio(numerator: float, denominator: float) -> float | None:
    """A ratio, or None when the denominator is zero: never a NaN or a ZeroDivisionError."""
    if not denominator:
        return None
    value = numerator / denominator
    return None if math.isnan(value) or math.isinf(value) else value


def jsonable(value: Any) -> Any:
    """Make numpy scalars, NaN, dates and tuples JSON-safe (NaN becomes None)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
