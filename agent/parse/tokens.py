"""The lexical layer of the training-statement grammar: numbers (digits and words), units,
exercise names from the catalogue and lifters' slang, and loads; plus the parse actions that
turn matches into values. `grammar.py` builds the statements from these tokens."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import pyparsing as pp

_TRANSLATE = str.maketrans({"×": "x", "–": "-", "—": "-", "’": "'", "‘": "'", "`": "'",
                            "“": '"', "”": '"', "\u00a0": " "})  # fmt: skip


def normalize(text: str) -> str:
    """Lower case with one character per character, so spans index the original text."""
    lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return lowered.translate(_TRANSLATE)


# Where an atom can start: a word or number start, a digit right after "x" ("3x10"), a
# symbol. Starting anywhere else can only fail.
TOKEN_START = re.compile(r"(?<![a-z0-9])[a-z0-9]|(?<=[0-9]x)[0-9]|(?<=[0-9])[a-z]|[@+:#*=,/&(-]")


@dataclass
class Atom:
    """One grammar match: what kind of statement, where, and its values."""

    kind: str
    start: int = 0
    end: int = 0
    values: dict[str, Any] = field(default_factory=dict)


@functools.cache
def lexicon() -> dict[str, Any]:
    import yaml

    text = resources.files("fitcoach.agent.parse").joinpath("lexicon.yaml").read_text("utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def R(pattern: str) -> pp.Regex:
    """A regex token that never starts inside a word ("pr" is not in "sprint")."""
    return pp.Regex(rf"(?:(?<![a-z])(?=[a-z])|(?=[^a-z]))(?:{pattern})")


def atom(kind: str, expr: pp.ParserElement, build: Any = None) -> pp.ParserElement:
    """`expr` as a top-level atom whose values are built from its named results."""

    def action(s: str, loc: int, toks: pp.ParseResults) -> Atom:
        values = build(toks) if build else toks.as_dict()
        if values is None:
            raise pp.ParseException(s, loc, f"not a {kind}")
        return Atom(kind, values=values)

    return pp.Group(expr).set_parse_action(lambda s, loc, t: action(s, loc, t[0]))


class Tokens:
    """Numbers, units, exercise names and loads: what every statement is made of."""

    def __init__(self) -> None:
        lex = lexicon()
        words = "|".join(sorted(lex["numbers"], key=len, reverse=True))
        self.word_numbers: dict[str, int] = lex["numbers"]

        # --- numbers and units ----------------------------------------------------------
        # A digit run not inside a word ("vo2max", "5k", "3rd", "1rm"), but "3x10" splits.
        num = pp.Regex(
            r"(?<![\d.])(?<![a-wyz])\d+(?:\.\d+)?(?![\d]|(?:st|nd|rd|th|am|pm|rm|s|d)\b)"
        )
        num.set_parse_action(lambda t: float(t[0]))
        comma_num = R(r"(?<![\d.])\d+,\d{1,2}(?=\s?(?:kgs?|kilos?|lbs?)\b)")
        comma_num.set_parse_action(lambda t: float(t[0].replace(",", ".")))
        word_num = R(rf"\b(?:{words})\b").set_parse_action(lambda t: self.word_numbers[t[0]])
        count = (num | word_num).add_condition(lambda t: float(t[0]).is_integer() and t[0] >= 1)
        count.add_parse_action(lambda t: int(t[0]))
        reps = count.copy().add_condition(lambda t: t[0] <= 100)
        kg = R(r"(?:kgs?|kilos?|kilograms?|kilogrammes?|kilo's)(?![a-wyz])").set_parse_action(
            lambda: "kg"
        )
        lb = R(r"(?:lbs?|pounds?|#)(?![a-wyz])").set_parse_action(lambda: "lb")
        unit = kg | lb
        value = comma_num | num
        load_u = value("value") + unit("unit")
        x = pp.Regex(r"x(?![a-wyz])|\*|(?<![a-z])by\b")  # "100kgx5": x may touch the unit
        rng = reps("low") + R(r"-|to\b|or\b") + reps("high")
        rng.add_condition(lambda t: t.low < t.high)
        reps_word = R(r"(?:reps?|repetitions?|repeats)\b")
        rep_spec = (pp.Group(rng)("range") | reps("reps")) + pp.Opt(reps_word)
        rpe_num = num.copy().add_condition(lambda t: 1 <= t[0] <= 10 and (t[0] * 2).is_integer())
        # After "rpe" or "@" the digits may touch the letters ("@rpe9").
        rpe_digits = pp.Regex(r"(?:10|[1-9])(?:\.5)?(?!\d|\.\d)").set_parse_action(
            lambda t: float(t[0])
        )
        rpe_tight = rpe_digits("rpe") + pp.Opt(R(r"-|to\b|/") + rpe_num("rpe_high"))
        rir_num = (num | word_num).add_condition(lambda t: 0 <= t[0] <= 6)
        sep = R(r",\s*and\b|,|/|;|&|\band\b|\bthen\b")

        # --- exercises ------------------------------------------------------------------
        self.names = _exercise_names()
        alts = "|".join(pattern for pattern, _ in self.names)
        exercise = R(rf"(?<![\w-])(?:{alts})(?![\w-])")
        exercise.set_parse_action(lambda t: [self._canonical(t[0])])
        self.exercise = exercise

        # --- loads ----------------------------------------------------------------------
        bodyweight = R(r"(?:body ?weight|bw)(?![a-z])")
        added = (
            pp.Opt(bodyweight) + R(r"\+|plus\b|weighted(?: with)?\b") + load_u
            | bodyweight + R(r"with|and") + load_u + R(r"(?:added|extra|on a (?:dip )?belt)\b")
            | pp.Opt(R(r"(?:with|using)\b"))
            + load_u
            + R(r"(?:added|extra|on a (?:dip )?belt|on my back|vest)\b")
        )
        plate_count = count("plates") | R(r"\ban?\b").set_parse_action(lambda: 1)("plates")
        plates = plate_count + R(r"plates?(?: (?:a|per|each) side)?\b")
        after = R(r"(?:at|with|using|on)\b|@").suppress()
        bare_after = after + (
            load_u + ~R(r"\s*(?:body ?weight|bw)\b")
            | num("value").add_condition(lambda t: t[0] > 10)
            + ~R(
                r"\s*(?:%|percent|reps?\b|sets?\b|x\b|min|sec|s\b|km|m\b|mi|rpe|bpm|kg|kilo|lb|"
                r"pound|#)"
            )
        )
        self.load = (
            atom("load", added, lambda t: {"value": t.value, "unit": t.unit, "bw": True})
            | atom("load", plates, lambda t: {"plates": t.plates})
            | atom("load", load_u + ~R(r"\s*(?:body ?weight|bw)\b"), load_values)
            | atom("load", bodyweight, lambda t: {"bw": True})
            | atom("load", bare_after, load_values)
        )
        self.num, self.value, self.count, self.reps, self.word_num = (
            num,
            value,
            count,
            reps,
            word_num,
        )
        self.unit, self.load_u, self.x, self.rng, self.sep = unit, load_u, x, rng, sep
        self.reps_word, self.rep_spec, self.plates = reps_word, rep_spec, plates
        self.rpe_num, self.rpe_tight, self.rir_num = rpe_num, rpe_tight, rir_num

    def _canonical(self, matched: str) -> tuple[str, str]:
        for pattern, name in self.names:
            if re.fullmatch(pattern, matched):
                return name, matched
        raise pp.ParseException(matched, 0, "not an exercise")  # unreachable by construction


def load_values(t: pp.ParseResults) -> dict[str, Any]:
    return {"value": t.value, "unit": t.get("unit")}


def rep_spec_values(t: pp.ParseResults) -> dict[str, Any]:
    if "range" in t:
        return {"range": (t.range.low, t.range.high)}
    return {"reps": [t.reps]}


def scheme_values(t: pp.ParseResults) -> dict[str, Any]:
    sets = 1 if "one" in t or "bare" in t else t.sets
    written = "bare" not in t and ("one" not in t or t.one == "one")
    out = {"sets": sets, "sets_written": written, **rep_spec_values(t)}
    if "reps" in out:
        out["reps"] = out["reps"] * sets
    if "plus" in t:
        out["amrap"] = True
    return out


def reps_list_values(t: pp.ParseResults) -> dict[str, Any]:
    reps = [t.first, t.second, *t.get("more", [])]
    return {"sets": len(reps), "sets_derived": True, "reps": reps}


def ex_reps_values(t: pp.ParseResults) -> dict[str, Any]:
    out: dict[str, Any] = {"reps": [t.reps], "ex": t.ex}
    if t.get("mod") in ("bodyweight", "bw"):
        out["bw"] = True
    return out


def reps_at_values(t: pp.ParseResults) -> dict[str, Any]:
    return {**load_values(t), "reps": [t.reps]}


def reps_only_values(t: pp.ParseResults) -> dict[str, Any]:
    if "named" in t:
        word = t.named.split()[-1].rstrip("s")
        return {"reps": [{"single": 1, "double": 2, "triple": 3}[word]], "named": True}
    return {"reps": [t.reps]}


def rpe_values(t: pp.ParseResults) -> dict[str, Any]:
    high = t.get("rpe_high")
    if high is not None and high <= t.rpe:
        return None
    return {"rpe": t.rpe, "rpe_high": high}


def rir_values(t: pp.ParseResults) -> dict[str, Any]:
    high = t.get("rir_high")
    return {"rir": float(t.rir), "rir_high": float(high) if high is not None else None}


def one_rm_values(t: pp.ParseResults) -> dict[str, Any] | None:
    ex = t.get("ex")
    if t.get("word") == "max" and t.get("unit") is None and not ex:
        return None  # "max 185" with no unit and no lift may be a heart rate, not a 1RM
    return {"value": t.value, "unit": t.get("unit"), "ex": ex[0] if ex else None}


def hours_values(t: pp.ParseResults) -> dict[str, Any]:
    low, high = (t.range.low, t.range.high) if "range" in t else (t.value, t.value)
    minutes = t.hunit.startswith("min")
    return {"low": low, "high": high, "minutes": minutes}


def series_unit(word: str) -> str:
    if word.startswith("min"):
        return "min"
    if word in ("k", "km", "kms"):
        return "km"
    if word.startswith("mi") and word != "min" and word != "mins":
        return "mi"
    if word.startswith(("au", "a.u", "arbitrary")):
        return "au"
    if word in ("hours", "h"):
        return "h"
    return "min"


def series_values(t: pp.ParseResults) -> dict[str, Any]:
    values = [v for v in t if isinstance(v, float)]
    if len(values) < 3 or ("ctx" not in t and "unit" not in t):
        return None  # a bare list of numbers is a list of reps, not a series
    unit = t.get("unit")
    context = str(t.get("ctx", "")).lower()
    if unit is None and re.search(r"\b(?:km|kms)\b", context):
        unit = "km"  # "running km last 4 weeks: 22, 25, 31, 38"
    elif unit is None and re.search(r"\bmiles\b", context):
        unit = "mi"
    return {"values": values, "unit": unit}


def _exercise_names() -> list[tuple[str, str]]:
    """(regex, catalogue name) for every name, synonym and slang word, longest first."""
    from fitcoach.agent.tools.catalogue import exercises

    lex = lexicon()
    skip_patterns = set(lex["patterns_without_sets"])
    not_anchors = set(lex["not_anchors"])
    names: dict[str, str] = {}
    for ex in exercises():
        if ex.pattern in skip_patterns:
            continue
        for name in (ex.name, *ex.synonyms):
            if name not in not_anchors:
                names.setdefault(name.lower(), ex.name)
    for canonical, words in lex["slang"].items():
        for word in words:
            names[word.lower()] = canonical
    ordered = sorted(names, key=len, reverse=True)
    return [(_name_pattern(n), names[n]) for n in ordered]


def _name_pattern(name: str) -> str:
    # "pull-up" matches "pull up", "pullup", "pull-ups"; a trailing s/es is optional.
    parts = [re.escape(p) for p in re.split(r"[\s-]+", name) if p]
    return r"[\s-]?".join(parts) + r"(?:e?s)?"
