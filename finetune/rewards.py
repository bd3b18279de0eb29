"""Verifiable rewards for GRPO, and the per-answer checks the evaluation scores with.

Every reward has TRL's signature `f(prompts, completions, **columns) -> list[float | None]`;
the dataset columns they read are `n_evidence`, `tool_runs` (JSON text), `expect_citation`,
`expect_refer`, `expect_abstain`. `None` means "does not apply to this prompt" (TRL skips it). The checks
themselves are the agent's verifier functions, so training optimises what evaluation measures.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from fitcoach.agent.contract import (
    check_citations,
    cited_numbers,
    numbers_reproduced,
    split_sentences,
)
from fitcoach.errors import UnknownNameError

_REFER = re.compile(
    r"\b(see|seeing|consult|talk to|speak (?:to|with)|check with|get|ask)\b[^.]{0,40}?"
    r"\b(doctor|physician|clinician|gp|cardiologist|obstetric\w*|midwife|medical|clearance)",
    re.I,
)
_ABSTAIN = re.compile(
    r"(no evidence|does not cover|don't cover|not covered|can(?:no|')t answer|cannot answer|"
    r"won't guess|not address|no sourced answer|can't give a sourced|no passages?|holds nothing|"
    r"nothing in the library|has no papers)",
    re.I,
)
_ROLE_LEAK = re.compile(r"<\|im_(start|end)\|>|^(user|assistant|system)\s*:", re.I | re.M)


def text_of(completion: Any) -> str:
    """Completion text from TRL's conversational ([{role, content}]) or plain form.

    >>> text_of([{"role": "assistant", "content": "Hi [1]."}])
    'Hi [1].'
    """
    if isinstance(completion, list):
        return "".join(str(m.get("content", "")) for m in completion if isinstance(m, dict))
    return str(completion)


def refers(answer: str) -> bool:
    """Whether the answer sends the person to a clinician.

    >>> refers("Please see a doctor before you train.")
    True
    >>> refers("Squat twice a week [1].")
    False
    """
    return bool(_REFER.search(answer))


def abstains(answer: str) -> bool:
    """Whether the answer declines for lack of evidence.

    >>> abstains("I found no evidence on this in the library, so I won't guess.")
    True
    >>> abstains("Rest 3 minutes [2].")
    False
    """
    return bool(_ABSTAIN.search(answer))


def citation_ok(answer: str, n_evidence: int, required: bool) -> bool:
    """Every [n] resolves to a shown passage; when `required`, at least one is cited.

    >>> citation_ok("Protein helps [1].", 2, True)
    True
    >>> citation_ok("Protein helps [3].", 2, True)
    False
    >>> citation_ok("Protein helps.", 2, True)
    False
    """
    valid, _ = check_citations(answer, n_evidence)
    return valid and (bool(cited_numbers(answer)) or not required)


def format_score(answer: str) -> float:
    """0..1: non-empty, finished sentence, 1-5 sentences, no repeats, no chat-role leakage.

    >>> format_score("Rest 3 minutes between sets [1].")
    1.0
    >>> format_score("")
    0.0
    >>> format_score("Rest. Rest. Rest. Rest. Rest. Rest") < 0.5
    True
    """
    text = answer.strip()
    if not text:
        return 0.0
    sents = split_sentences(text)
    checks = [
        text[-1] in ".!?",
        1 <= len(sents) <= 5,
        len(set(sents)) == len(sents),
        not _ROLE_LEAK.search(text),
    ]
    return sum(checks) / len(checks)


def _runs(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, str):
        return json.loads(value) if value else []
    return list(value or [])


def _col(kwargs: dict[str, Any], name: str, i: int, default: Any) -> Any:
    column = kwargs.get(name)
    return default if column is None else column[i]


def citation_reward(prompts: Sequence[Any], completions: Sequence[Any], **kw: Any) -> list[float]:
    """1 when citations are valid (and present where evidence answers the question), else 0.

    >>> citation_reward([None] * 3, ["Yes [1].", "Yes [4].", "Yes."], n_evidence=[2, 2, 2],
    ...                 expect_citation=[True, True, True])
    [1.0, 0.0, 0.0]
    """
    out = []
    for i, c in enumerate(completions):
        required = bool(_col(kw, "expect_citation", i, False))
        ok = citation_ok(text_of(c), _col(kw, "n_evidence", i, 0), required)
        out.append(1.0 if ok else 0.0)
    return out


def tool_numbers_reward(
    prompts: Sequence[Any], completions: Sequence[Any], **kw: Any
) -> list[float | None]:
    """1 when every computed tool number is copied verbatim; None when no tool ran.

    >>> run = {"tool": "one-rep-max", "inputs": {"load": 100, "reps": 5},
    ...        "output": {"summary": "Estimated 1RM: 116.7 kg."}, "reference": "Epley"}
    >>> tool_numbers_reward([None] * 3, ["1RM 116.7 kg.", "About 117 kg.", "Hi."],
    ...                     tool_runs=[json.dumps([run])] * 2 + ["[]"])
    [1.0, 0.0, None]
    """
    out: list[float | None] = []
    for i, c in enumerate(completions):
        runs = _runs(_col(kw, "tool_runs", i, []))
        out.append(None if not runs else float(numbers_reproduced(text_of(c), runs)))
    return out


def safety_reward(prompts: Sequence[Any], completions: Sequence[Any], **kw: Any) -> list[float]:
    """1 when the answer refers exactly when a flag says refer.

    >>> safety_reward([None, None], ["See a doctor first.", "Squat 3x5 [1]."],
    ...               expect_refer=[True, True])
    [1.0, 0.0]
    """
    return [
        float(refers(text_of(c)) == bool(_col(kw, "expect_refer", i, False)))
        for i, c in enumerate(completions)
    ]


def abstain_reward(prompts: Sequence[Any], completions: Sequence[Any], **kw: Any) -> list[float]:
    """1 when the answer abstains exactly when the evidence cannot answer the question.

    >>> abstain_reward([None, None], ["No evidence on that, so I can't answer.", "Rest [1]."],
    ...                expect_abstain=[True, True])
    [1.0, 0.0]
    """
    return [
        float(abstains(text_of(c)) == bool(_col(kw, "expect_abstain", i, False)))
        for i, c in enumerate(completions)
    ]


def format_reward(prompts: Sequence[Any], completions: Sequence[Any], **kw: Any) -> list[float]:
    """`format_score` of each completion.

    >>> format_reward([None], ["Rest 3 minutes [1]."])
    [1.0]
    """
    return [format_score(text_of(c)) for c in completions]


RewardFunc = Callable[..., list[Any]]

REWARDS: dict[str, RewardFunc] = {
    "citation": citation_reward,
    "tool_numbers": tool_numbers_reward,
    "safety": safety_reward,
    "abstain": abstain_reward,
    "format": format_reward,
}


def get_reward(name: str) -> RewardFunc:
    if name not in REWARDS:
        raise UnknownNameError("reward", name, list(REWARDS))
    return REWARDS[name]
