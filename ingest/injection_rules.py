"""The quarantine rules, loaded from `data/injection_rules.yaml` and checked at load.

The YAML says what each rule means; here it is validated (every reason named, every macro
defined, every pattern compiled) so that a broken edit fails with the rule that broke it.
Cyrillic and Greek letters in a pattern are folded like the text it reads (see `fold`).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from importlib import resources
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field, model_validator

from fitcoach.errors import ConfigError

# Cyrillic and Greek letters that look like Latin ones: capitals first (Greek "Ν" is an N,
# though its lower case "ν" looks like a v), then lower case.
CAPITALS = str.maketrans(
    {
        "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
        "С": "C", "Т": "T", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S", "У": "Y",
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
        "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    }
)  # fmt: skip
LOOKALIKES = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
        "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j",
        "ѕ": "s", "ԁ": "d", "ɡ": "g", "һ": "h", "ԛ": "q", "ԝ": "w", "ӏ": "l",
        "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "μ": "m", "ν": "v",
        "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "γ": "y", "ζ": "z",
    }
)  # fmt: skip

class Rule(NamedTuple):
    signal: str  # weak rules with the same signal count once
    weight: float  # 1.0 strong, 0.5 weak
    reason: str  # as shown by `fitcoach library show`
    pattern: re.Pattern[str]


class _RuleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str
    signal: str | None = Field(None, description="Set for a weak rule (weight 0.5).")
    any: list[str] = Field(min_length=1, description="Alternatives, joined with '|'.")


class _RuleFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reasons: dict[str, str]
    macros: dict[str, str]
    human_assistants: list[str]
    header: list[str]
    squashed: list[str]
    rules: list[_RuleSpec]

    @model_validator(mode="after")
    def _known_reasons(self) -> _RuleFile:
        unknown = {r.reason for r in self.rules} - set(self.reasons)
        if unknown:
            raise ValueError(f"rules name unknown reasons {sorted(unknown)}")
        return self


class RuleSet(NamedTuple):
    rules: tuple[Rule, ...]
    reasons: dict[str, str]
    human_assistants: re.Pattern[str]
    header: re.Pattern[str]
    squashed: re.Pattern[str]


_MACRO = re.compile(r"<([A-Z_]+)>")


def _compile(where: str, alternatives: list[str], macros: dict[str, str]) -> re.Pattern[str]:
    def expand(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in macros:
            raise ConfigError(
                f"injection rules: {where} uses an undefined macro <{name}>",
                hint=f"define it under `macros:` (defined: {', '.join(sorted(macros))})",
            )
        return macros[name]

    source = "|".join(f"(?:{_MACRO.sub(expand, alt)})" for alt in alternatives)
    # the text is read with look-alikes folded to Latin and accents dropped ("й" -> "и"), so
    # the letters of a rule are too; ASCII, and with it the regex syntax, is left as it is
    source = unicodedata.normalize("NFKD", source.translate(CAPITALS).translate(LOOKALIKES))
    source = "".join(c for c in source if not unicodedata.combining(c))
    try:
        return re.compile(source, re.S)
    except re.error as exc:
        raise ConfigError(
            f"injection rules: {where} does not compile: {exc}",
            hint="fix the pattern in ingest/data/injection_rules.yaml",
        ) from None


def parse_rules(text: str) -> RuleSet:
    """Validate and compile a rules file's text."""
    import yaml

    try:
        spec = _RuleFile.model_validate(yaml.safe_load(text))
    except Exception as exc:
        raise ConfigError(
            f"injection rules are invalid: {exc}",
            hint="fix ingest/data/injection_rules.yaml (see the comments at its top)",
        ) from None
    rules = tuple(
        Rule(
            signal=spec.reasons[r.reason] if r.signal is None else r.signal,
            weight=1.0 if r.signal is None else 0.5,
            reason=spec.reasons[r.reason],
            pattern=_compile(f"rule {i} ({r.reason})", r.any, spec.macros),
        )
        for i, r in enumerate(spec.rules)
    )
    return RuleSet(
        rules=rules,
        reasons=spec.reasons,
        human_assistants=_compile("human_assistants", spec.human_assistants, spec.macros),
        header=_compile("header", spec.header, spec.macros),
        squashed=_compile("squashed", spec.squashed, spec.macros),
    )


@functools.lru_cache(maxsize=1)
def load_rules() -> RuleSet:
    """The shipped rules (read and compiled once per process)."""
    path = resources.files("fitcoach.ingest").joinpath("data/injection_rules.yaml")
    return parse_rules(path.read_text(encoding="utf-8"))
