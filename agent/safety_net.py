"""The red-flag net under the screen's table: a logistic regression on the message's MiniLM
vector, trained by `python -m fitcoach.finetune.red_flag_net` on red flags and look-alikes
written outside the team (tune rounds only).

The table (agent/tools/screening.py) names what it can and stays the authority: the net is
asked only when the table refers nothing, and it can only add the `possible_red_flag`
referral. Messages that a vocabulary cannot name ("like a tight band round my chest", "my
watch jumps to 220 out of nowhere") are what it is for; its threshold keeps ordinary questions
out (see the trainer's cross-validation table and bench/red_flags.py).
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

from fitcoach.agent.tools import ScreenResult
from fitcoach.agent.tools.detect import clinician_cleared

NET = Path(__file__).with_name("data") / "red_flag_net.json"
# The net speaks only about a body: a message naming no symptom, body part or bodily event
# (except after "no", "not" or "without") is no red flag, however it reads to the net ("went
# a bit weird on macros this week", "stuck at the same weight on 1800 cals wtf" scored 0.94+).
_BODY = re.compile(
    r"\b(?:chest|heart|pulse|hr|breath\w*|dizz\w*|faint\w*|light-?headed|blacked|passed out|"
    r"collaps\w*|swell\w*|swollen|puff\w*|ankles?|feet|foot|calf|calves|legs?|arms?|head|"
    r"vision|eyes?|pee|urine|wee|blood|bleed\w*|periods?|numb\w*|tingl\w*|pain\w*|hurts?|"
    r"hurting|ach\w*|sore|tender|bones?|shin|heel|hip|knee|wrist|pop\w*|snap\w*|crack\w*|"
    r"weak\w*|confus\w*|vomit\w*|sick|threw up|throw up|nause\w*|heat|fluid|cramp\w*|"
    r"bump|lump|throat|jaw|headaches?|migraines?|hot|forget\w*)\b",
    re.I,
)
_DENIED = re.compile(r"\b(?:no|not|without|never|zero)\s+(?:\w+\s+)?$", re.I)


def about_the_body(text: str) -> bool:
    """Whether `text` names a symptom, body part or bodily event it does not deny.

    >>> about_the_body("went a bit weird on macros this week"), about_the_body("my calf is hot")
    (False, True)
    >>> about_the_body("no headache, no dizziness, feel fine")
    False
    """
    return any(not _DENIED.search(text[: m.start()]) for m in _BODY.finditer(text))


@functools.cache
def _net() -> dict[str, Any] | None:
    try:
        return json.loads(NET.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # no trained net shipped: the table alone decides
        return None


def red_flag_probability(text: str, embedder: Any) -> float | None:
    """The net's probability that `text` describes a red flag; None without a net."""
    net = _net()
    # the net reads the vectors of the embedder it was trained on, and no other
    base = getattr(embedder, "embedder", embedder)  # behind the agent's vector cache
    if net is None or embedder is None or getattr(base, "name", None) != net["embedder"]:
        return None
    import math

    vector = embedder.embed([text])[0]
    if len(vector) != len(net["coef"]):
        return None
    z = net["intercept"] + sum(w * x for w, x in zip(net["coef"], vector, strict=True))
    return 1.0 / (1.0 + math.exp(-z))


def with_net(result: ScreenResult, text: str, embedder: Any) -> ScreenResult:
    """`result` with the net's referral added when the table refers nothing and the net is
    confident about a message on the body that no clinician has cleared; otherwise `result`
    unchanged."""
    if result.refer or not about_the_body(text) or clinician_cleared(text):
        return result
    p = red_flag_probability(text, embedder)
    net = _net()
    if p is None or net is None or p < net["threshold"]:
        return result
    from fitcoach.agent.tools.screening import rule_flag

    flag = rule_flag("possible_red_flag", [f"red-flag net {p:.2f}"])
    return result.model_copy(update={"flags": [*result.flags, flag]})
