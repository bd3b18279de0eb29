"""Reads training statements out of what athletes write: sets, reps per set, loads and units,
RPE/RIR, AMRAP, sessions, targets, weekly totals, body weight, heart rates and more, as typed
statements (`Parsed`). The grammar (pyparsing) is in `grammar.py`, the grouping of its matches
into statements in `assemble.py`.

    >>> p = parse("I did 3x10 at 40 kg on the leg press, RPE 6")
    >>> g = p.sets[0]
    >>> (g.exercise, g.sets, g.reps, g.load.value, g.load.unit, g.rpe)
    ('leg press', 3, [10, 10, 10], 40.0, 'kg', 6.0)

A number the message leaves without a unit is never given one silently: with `units` (the
profile's) the unit is filled in and said in `assumptions`; without, `questions` asks.
"""

from __future__ import annotations

from fitcoach.agent.tools.detect import find_age

from .models import Conversion, Load, Note, OneRepMax, Parsed, Series, SetGroup, Unit

__all__ = ["Conversion", "Load", "Note", "OneRepMax", "Parsed", "Series", "SetGroup", "parse"]


def parse(text: str, units: Unit | None = None) -> Parsed:
    """Every training statement in `text`; `units` is the athlete's stated unit, if any."""
    from .assemble import assemble
    from .grammar import grammar
    from .tokens import normalize

    norm = normalize(text)
    result = assemble(norm, grammar().scan(norm), units, original=text)
    result.age = find_age(text)
    return result
