"""Next-session load from a set log: double progression, the 2-for-2 rule, ACSM's 2-10% rule,
rounding to the plates at hand, and backing off when reps are missed or every set is an RPE 10."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from fitcoach.errors import ToolInputError

from . import references as refs
from .base import ToolInput, ToolResult, Unit, describe_validation_error, parse_inputs
from .profile import MAX_REPS, SetEntry
from .units import DEFAULT_INCREMENT, convert_value, fmt, normalize_unit, round_to

Status = Literal["novice", "intermediate", "advanced"]
LiftSize = Literal["small", "large"]
Method = Literal["auto", "double", "two-for-two", "acsm"]

# Where in ACSM's 2-10% range to land: larger jumps for large lifts and less trained lifters.
# The 2-10% range is ACSM 2009's; this placement within it is our convention.
ACSM_STEP: dict[tuple[str, str], float] = {
    ("novice", "large"): 0.075,
    ("novice", "small"): 0.05,
    ("intermediate", "large"): 0.05,
    ("intermediate", "small"): 0.025,
    ("advanced", "large"): 0.025,
    ("advanced", "small"): 0.02,
}
# NSCA 2-for-2 increments (low end, high end) per unit and lift size.
NSCA_STEP: dict[tuple[str, str], tuple[float, float]] = {
    ("kg", "small"): (1.25, 2.5),
    ("kg", "large"): (2.5, 5.0),
    ("lb", "small"): (2.5, 5.0),
    ("lb", "large"): (5.0, 10.0),
}
DELOAD = 0.10  # missed reps twice running: drop ~10% and build back (coaching convention)
BACK_OFF = 0.05  # RPE 10 twice running at a load that was completed: drop ~5%
DELOAD_RULE = (
    "reps missed in two consecutive sessions: back off about 10% and rebuild; every set at "
    "RPE 10 in two consecutive sessions: back off about 5% (autoregulation by RIR; the "
    "percentages are a coaching convention, not figures from the references)"
)


def lift_size_of(exercise: str) -> LiftSize:
    """Large = multi-joint lower-body or whole-body lifts; looked up in the exercise catalogue."""
    from .catalogue import lift_size

    return lift_size(exercise)


class Session(BaseModel):
    """The sets of one exercise on one date, reduced to what the rules read."""

    model_config = ConfigDict(extra="forbid")

    date: dt.date
    top_load: float = Field(description="Heaviest load of the day, in the output unit.")
    reps: list[int] = Field(description="Reps of each set at the top load.")
    rpe: list[float | None]

    @property
    def all_rpe10(self) -> bool:
        return bool(self.rpe) and all(r is not None and r >= 10 for r in self.rpe)


class NextLoadInput(ToolInput):
    log: list[SetEntry] = Field(min_length=1, description="Performed sets (load, reps, RPE, date).")
    exercise: str | None = Field(None, description="Which exercise of the log; needed if several.")
    rep_min: int | None = Field(None, ge=1, le=MAX_REPS, description="Bottom of the rep range.")
    rep_max: int | None = Field(None, ge=1, le=MAX_REPS, description="Top of the rep range.")
    target_reps: int | None = Field(None, ge=1, le=MAX_REPS, description="Fixed rep goal per set.")
    method: Method = Field(
        "auto", description="auto = double progression with a rep range, else 2-for-2."
    )
    increment: float | None = Field(
        None, gt=0, le=50, description="Smallest load jump available (default 2.5 kg / 5 lb)."
    )
    training_status: Status | None = Field(None, description="Default: intermediate.")
    lift_size: LiftSize | None = Field(None, description="Default: from the exercise catalogue.")
    unit: Unit | None = Field(None, description="Output unit; default the log's latest unit.")

    @field_validator("unit", mode="before")
    @classmethod
    def _unit(cls, value: Any) -> Any:
        return normalize_unit(value)

    @model_validator(mode="after")
    def _targets(self) -> NextLoadInput:
        if self.rep_min is not None and self.rep_max is not None and self.rep_min > self.rep_max:
            raise ValueError("rep_min must not exceed rep_max")
        if (self.rep_min is None) != (self.rep_max is None):
            raise ValueError("give rep_min and rep_max together (e.g. 8 and 12)")
        if self.rep_max is None and self.target_reps is None:
            raise ValueError(
                "give a rep range (rep_min, rep_max) for double progression or target_reps "
                "for the 2-for-2 / ACSM rules"
            )
        if self.method == "double" and (self.rep_max is None or self.rep_min == self.rep_max):
            raise ValueError("double progression needs a rep range with rep_min < rep_max")
        return self


class NextLoadResult(ToolResult):
    exercise: str
    method: Literal["double", "two-for-two", "acsm"]
    action: Literal["increase", "hold", "deload", "back_off"]
    next_load: float = Field(description="Load for the next session, rounded to the increment.")
    target_reps: int = Field(description="Reps per set to aim for next session.")
    unit: Unit
    last_load: float
    change: float = Field(description="next_load - last_load.")
    change_pct: float = Field(description="Change as % of last_load, rounded to 0.1.")
    increment: float
    sessions_used: int


def read_set_log(path: str | Path) -> list[SetEntry]:
    """Sets from a CSV with columns exercise, load, reps, rpe (optional), date, unit (optional)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ToolInputError(
            f"cannot read set log {path}: {exc.strerror}",
            hint="pass a CSV file with exercise,load,reps,rpe,date,unit",
        ) from None
    rows = list(csv.DictReader(text.splitlines()))
    if not rows:
        raise ToolInputError(
            f"set log {path} has no rows",
            hint="a header line exercise,load,reps,rpe,date,unit and one set per line",
        )
    entries = []
    for line, row in enumerate(rows, start=2):
        data = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        data = {k: v for k, v in data.items() if v != ""}
        try:
            entries.append(SetEntry.model_validate(data))
        except ValidationError as exc:
            raise ToolInputError(
                f"{path} line {line}: {describe_validation_error(SetEntry, exc)}",
                hint="columns: exercise, load, reps (1-30), rpe (1-10, optional), date "
                "(YYYY-MM-DD), unit (kg or lb, optional)",
            ) from None
    return entries


def _sessions(entries: list[SetEntry], unit: str) -> list[Session]:
    by_date: dict[dt.date, list[SetEntry]] = {}
    for entry in entries:
        by_date.setdefault(entry.date, []).append(entry)
    sessions = []
    for date in sorted(by_date):
        sets = [(convert_value(e.load, e.unit, unit), e) for e in by_date[date]]
        top = max(load for load, _ in sets)
        work = [e for load, e in sets if abs(load - top) < 1e-6]
        sessions.append(
            Session(
                date=date,
                top_load=round(top, 4),
                reps=[e.reps for e in work],
                rpe=[e.rpe for e in work],
            )
        )
    return sessions


def _norm(name: str) -> str:
    return " ".join(name.lower().replace("-", " ").split())


def _pick_exercise(inp: NextLoadInput) -> tuple[str, list[SetEntry]]:
    names = {_norm(e.exercise): e.exercise for e in inp.log}
    if inp.exercise is None:
        if len(names) > 1:
            raise ToolInputError(
                "the log holds several exercises: say which one",
                hint="exercise= one of: " + ", ".join(sorted(names.values())),
            )
        key = next(iter(names))
    else:
        key = _norm(inp.exercise)
        if key not in names:
            raise ToolInputError(
                f"no sets of {inp.exercise!r} in the log",
                hint="exercise= one of: " + ", ".join(sorted(names.values())),
            )
    return names[key], [e for e in inp.log if _norm(e.exercise) == key]


def _same_load(a: Session, b: Session) -> bool:
    return abs(a.top_load - b.top_load) < 1e-6


def _next_load(inp: NextLoadInput) -> NextLoadResult:
    exercise, entries = _pick_exercise(inp)
    unit = inp.unit or sorted(entries, key=lambda e: e.date)[-1].unit
    increment = inp.increment or DEFAULT_INCREMENT[unit]
    status = inp.training_status or "intermediate"
    size = inp.lift_size or lift_size_of(exercise)
    method = inp.method
    if method == "auto":
        ranged = inp.rep_max is not None and inp.rep_min != inp.rep_max
        method = "double" if ranged else "two-for-two"
    goal = inp.target_reps or inp.rep_max
    floor = inp.rep_min if method == "double" else goal

    sessions = _sessions(entries, unit)
    last = sessions[-1]
    prev = sessions[-2] if len(sessions) > 1 and _same_load(sessions[-2], last) else None
    warnings: list[str] = []

    def missed(s: Session) -> bool:
        return min(s.reps) < floor

    def hit(s: Session) -> bool:
        if method == "double":
            return min(s.reps) >= inp.rep_max
        if method == "two-for-two":
            return s.reps[-1] >= goal + 2
        return min(s.reps) >= goal + 1  # ACSM: 1-2 reps beyond the target

    reason: str
    if missed(last) and prev is not None and missed(prev):
        action, new = "deload", _step(last.top_load, -DELOAD * last.top_load, increment)
        reps, rule, ref = floor, DELOAD_RULE, f"{refs.RATAMESS}; {refs.HELMS}"
        reason = f"reps below {floor} in two sessions running at {fmt(last.top_load)} {unit}"
    elif last.all_rpe10 and prev is not None and prev.all_rpe10:
        action, new = "back_off", _step(last.top_load, -BACK_OFF * last.top_load, increment)
        reps, rule, ref = floor, DELOAD_RULE, f"{refs.HELMS}; {refs.ZOURDOS}"
        reason = f"every set at RPE 10 in two sessions running at {fmt(last.top_load)} {unit}"
    elif missed(last):
        action, new, reps = "hold", last.top_load, floor
        rule, ref = "a missed rep target repeats the load before any increase", refs.RATAMESS
        reason = f"reps {_reps(last)} fell short of {floor}"
        warnings.append("one more session below the target at this load triggers a ~10% deload")
    elif hit(last) and (method != "two-for-two" or (prev is not None and hit(prev))):
        action, reps = "increase", floor
        new, rule, ref = _increase(method, last.top_load, unit, increment, status, size, warnings)
        reason = _hit_reason(method, last, inp, goal)
        if last.all_rpe10:
            warnings.append("the top sets were RPE 10: if the next session grinds, hold the load")
    else:
        action, new = "hold", last.top_load
        if method == "double":
            reps = min(max(last.reps) + 1, inp.rep_max)
            rule = (
                f"double progression: keep the load and add reps until every set reaches "
                f"{inp.rep_max}, then raise the load and return to {inp.rep_min}"
            )
            reason = f"reps {_reps(last)}, not yet {inp.rep_max} on every set"
            ref = refs.RATAMESS
        elif method == "two-for-two":
            reps = goal
            rule = (
                f"2-for-2: raise the load after the last set beats the {goal}-rep goal by 2 "
                "or more in two consecutive sessions"
            )
            if not hit(last):
                reason = f"last set {last.reps[-1]} reps, goal {goal}+2"
            elif prev is None:
                reason = f"first session at this load to beat {goal} by 2+"
            else:
                reason = f"only the latest session beat {goal} by 2+"
            ref = refs.NSCA_2FOR2
        else:
            reps = goal
            rule = f"ACSM 2009: raise the load 2-10% once every set exceeds {goal} reps by 1-2"
            reason = f"reps {_reps(last)}, not above {goal} on every set"
            ref = refs.RATAMESS
    if any(e.unit != unit for e in entries):
        # Loads converted from the other unit sit off the plate grid: land back on it.
        new = max(round_to(new, increment), increment)
        warnings.append(f"loads converted to {unit} and rounded to {fmt(increment)} {unit} steps")
    if action in ("deload", "back_off") and new >= last.top_load:
        action, new = "hold", last.top_load
        warnings.append(
            "already at the lightest load the increment allows: cut reps or sets, or choose an "
            "easier variation, instead of lowering the load"
        )
    if len(sessions) == 1:
        warnings.append(
            "this is one session: the rules that add load after two good sessions in a row, or "
            "back off after repeated misses, need the next ones logged too"
        )
    change = round(new - last.top_load, 4)
    pct = round(100 * change / last.top_load, 1)
    if action == "hold":
        how = "same load"
    else:
        verb = {"increase": "increase", "deload": "deload", "back_off": "back off"}[action]
        sign = "+" if change > 0 else ""
        how = f"{verb} {sign}{fmt(change)} {unit}, {sign}{pct:g}%"
    summary = f"Next {exercise}: {fmt(new)} {unit} x {reps} ({how}; {reason})"
    return NextLoadResult(
        exercise=exercise,
        method=method,
        action=action,
        next_load=new,
        target_reps=reps,
        unit=unit,
        last_load=round(last.top_load, 2),
        change=change,
        change_pct=pct,
        increment=increment,
        sessions_used=len(sessions),
        warnings=warnings,
        summary=summary,
        rule=rule,
        reference=ref,
    )


def _step(load: float, change: float, increment: float) -> float:
    """`load` changed by `change` rounded to whole increments: plates go on and off the bar in
    those steps, whatever the starting load. A reduction is at least one increment, and a
    reduction that would reach zero leaves the load as it is."""
    step = round_to(change, increment)
    if change < 0:
        new = round(load + min(step, -increment), 6)
        return new if new > 0 else load
    return round(load + step, 6)


def _reps(s: Session) -> str:
    return "/".join(str(r) for r in s.reps)


def _hit_reason(method: str, last: Session, inp: NextLoadInput, goal: int) -> str:
    if method == "double":
        return f"every set reached {inp.rep_max} reps ({_reps(last)})"
    if method == "two-for-two":
        return f"last set beat the {goal}-rep goal by 2+ in two sessions running"
    return f"every set beat the {goal}-rep target by 1-2 ({_reps(last)})"


def _increase(
    method: str,
    load: float,
    unit: str,
    increment: float,
    status: str,
    size: str,
    warnings: list[str],
) -> tuple[float, str, str]:
    if method == "two-for-two":
        low, high = NSCA_STEP[(unit, size)]
        step = high if status == "novice" else low
        new = _step(load, step, increment)
        rule = (
            f"2-for-2 rule: {size} lift, add {fmt(step)} {unit} (NSCA: {fmt(low)}-{fmt(high)} "
            f"{unit}), rounded to {fmt(increment)} {unit}"
        )
        ref = refs.NSCA_2FOR2
    else:
        pct = ACSM_STEP[(status, size)]
        new = _step(load, load * pct, increment)
        head = "double progression, then" if method == "double" else "ACSM 2009:"
        rule = (
            f"{head} raise the load within ACSM's 2-10% ({pct * 100:g}% for "
            f"{status} lifters on a {size} lift), rounded to {fmt(increment)} {unit}"
        )
        ref = refs.RATAMESS
    if new <= load:  # the plates cannot make a jump that small: take one increment
        new = _step(load, increment, increment)
        warnings.append(
            f"the planned jump is smaller than one {fmt(increment)} {unit} increment; "
            "took one increment"
        )
    if (new - load) / load > 0.10:
        warnings.append(
            f"+{fmt(new - load)} {unit} is more than 10% of {fmt(load)} {unit}: "
            "use smaller plates or add reps first"
        )
    return new, rule, ref


def next_load(log: list[SetEntry | dict[str, Any]], **kwargs: Any) -> NextLoadResult:
    """Next-session load for one exercise of `log`; kwargs as in `NextLoadInput`."""
    return _next_load(parse_inputs(NextLoadInput, {"log": log, **kwargs}))
