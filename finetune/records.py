"""The records the post-training stages hand each other: dialogues, the document split,
exam items; and how they are read back."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from fitcoach.finetune.corpus import Note

Kind = Literal["evidence", "tool", "refer", "abstain", "exam"]
DATA_DIR = Path(__file__).parent / "data"


class Dialogue(BaseModel):
    """One chat: the prompt messages, what a checker needs, and (for SFT) the answer."""

    model_config = ConfigDict(extra="forbid")

    id: str
    kind: Kind
    doc_ids: list[str] = Field(default_factory=list, description="Documents it draws on.")
    messages: list[dict[str, str]] = Field(description="system + user, from build_messages.")
    answer: str = Field("", description="Reference answer (the SFT target).")
    n_evidence: int = 0
    tool_runs: list[dict[str, Any]] = Field(default_factory=list)
    expect_citation: bool = Field(False, description="A correct answer cites the evidence.")
    expect_refer: bool = False
    expect_abstain: bool = False


class Split(BaseModel):
    model_config = ConfigDict(extra="forbid")

    train: list[str]
    heldout: list[str]


class MCQ(BaseModel):
    """One exam item (finetune/data/*.jsonl)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    domain: str
    question: str
    choices: list[str] = Field(min_length=2)
    answer: int = Field(ge=0)
    split: Literal["train", "heldout"]


def load_mcqs(path: Path) -> list[MCQ]:
    return [MCQ.model_validate_json(line) for line in path.read_text().splitlines() if line.strip()]


def mcq_messages(question: str) -> list[dict[str, str]]:
    """The prompt an exam item is scored under (and its `train` split trained with)."""
    return [{"role": "user", "content": f"Exercise science exam question: {question.strip()}"}]


def split_documents(notes: list[Note], heldout_fraction: float, seed: int) -> Split:
    """Seeded split of document ids; at least one document on each side."""
    ids = sorted(n.doc_id for n in notes)
    random.Random(f"split-{seed}").shuffle(ids)
    k = min(max(1, round(len(ids) * heldout_fraction)), len(ids) - 1)
    return Split(train=sorted(ids[k:]), heldout=sorted(ids[:k]))


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_dialogues(path: Path) -> list[Dialogue]:
    return [Dialogue.model_validate_json(line) for line in path.read_text().splitlines() if line]
