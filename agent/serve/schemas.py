"""What the HTTP API takes and returns, as pydantic models (they are also the OpenAPI schema).

`POST /v1/ask` returns `fitcoach.CoachAnswer` itself: that JSON is the public contract, so
it is not wrapped or extended here.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from fitcoach.agent.tools.base import SafetyFlag
from fitcoach.agent.tools.profile import AthleteProfile
from fitcoach.knowledge.types import DocumentMeta, IngestFileResult, LibraryStats, Passage

from .queue import QueueStats


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AskRequest(_In):
    """A coaching question, optionally with who is asking and a conversation id."""

    question: str = Field(
        min_length=1,
        max_length=4000,
        description="The coaching question.",
        examples=["How much protein do I need per day to build muscle?"],
    )
    profile: AthleteProfile | None = Field(
        None, description="The athlete: age, sex, pregnancy, conditions, injuries, units, ..."
    )
    thread_id: str | None = Field(
        None,
        min_length=1,
        max_length=128,
        pattern=r"^[A-Za-z0-9_.:@-]+$",
        description="Conversation id: keeps history and the set log across questions.",
    )

    @field_validator("question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the question is empty; ask a coaching question")
        return value.strip()


class FlagView(BaseModel):
    """A safety flag as streamed before the answer (the `CoachAnswer.safety_flags` shape)."""

    code: str
    severity: str
    action: str
    message: str
    reference: str

    @classmethod
    def of(cls, flag: SafetyFlag) -> FlagView:
        return cls(**flag.model_dump(include={"code", "severity", "action", "message", "reference"}))


class SearchHit(Passage):
    """A passage with its citable page span."""

    page: str | None = Field(
        None, description="'3' or '3-4' (as in a citation); null for unpaged sources."
    )

    @classmethod
    def of(cls, passage: Passage) -> SearchHit:
        return cls(**passage.model_dump(), page=passage.pages)


class SearchResponse(BaseModel):
    query: str
    hits: list[SearchHit]


class LibraryResponse(BaseModel):
    stats: LibraryStats
    documents: list[DocumentMeta]


class RemovedResponse(BaseModel):
    removed: DocumentMeta


class IngestResponse(BaseModel):
    """Exactly what `fitcoach ingest --json` prints: one result per uploaded file."""

    files: list[IngestFileResult]
    added: int
    updated: int = Field(0, description="Files already present whose metadata changed.")
    skipped: int
    failed: int
    embedded_chunks: int
    quarantined: int | None = Field(
        None, description="Sentences kept out of the index (instructions to an AI, hidden text)."
    )
    seconds: float


class ToolInfo(BaseModel):
    name: str
    description: str
    input_schema: dict[str, Any] = Field(description="JSON schema of the tool's inputs.")
    example: dict[str, Any] = Field(description="Inputs that work.")


class Health(BaseModel):
    status: str = Field(description="`ok` while the server answers.")
    version: str
    auth: bool = Field(description="Whether /v1 requires a bearer token.")
    queue: QueueStats = Field(description="Questions that may run the model.")
    refer_queue: QueueStats = Field(
        description="Questions the safety screen refers (no model, no retrieval)."
    )
