"""The agent's public contract for the post-training pipeline: the prompt layout, the
evidence type, the verifier and the tools. `fitcoach.finetune` imports the agent through this
module only, so the agent's internals can change without breaking training."""

from __future__ import annotations

from fitcoach.agent.evidence import Evidence
from fitcoach.agent.prompts import SYSTEM_PROMPT, build_messages
from fitcoach.agent.tools import run_tool, screen
from fitcoach.agent.verify import (
    SUPPORT_THRESHOLD,
    check_citations,
    cited_numbers,
    content_words,
    key_numbers,
    numbers_in,
    numbers_reproduced,
    sentence_support,
    split_sentences,
    strip_citations,
    verify,
)

__all__ = [
    "SUPPORT_THRESHOLD", "SYSTEM_PROMPT", "Evidence", "build_messages", "check_citations",
    "cited_numbers", "content_words", "key_numbers", "numbers_in", "numbers_reproduced",
    "run_tool", "screen", "sentence_support", "split_sentences", "strip_citations", "verify",
]  # fmt: skip
