"""The public answer contract: `CoachAnswer` and its parts, exactly what `fitcoach ask --json`
prints and what `Coach.ask` returns."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from fitcoach.agent.tools.base import SafetyFlag, ToolRun
from fitcoach.knowledge.types import Bibliography


class Citation(Bibliography):
    """One numbered reference of an answer: the page of the paper that backs `[n]`."""

    n: int = Field(description="The number used as [n] in the answer text.")
    page: str | None = Field(None, description="'3' or '3-4'; None for unpaged sources.")
    section: str | None = None
    quote: str = Field(description="The passage text that supports the claim (trimmed).")


class FlagReport(BaseModel):
    """A safety flag as the answer reports it (the screen's flag minus its trigger details)."""

    model_config = ConfigDict(extra="forbid")

    code: str
    severity: str = Field(description="absolute, relative or caution.")
    action: str = Field(description="refer, clearance_before_vigorous, modify or monitor.")
    message: str
    reference: str

    @classmethod
    def from_flag(cls, flag: SafetyFlag) -> FlagReport:
        return cls(
            code=flag.code,
            severity=flag.severity,
            action=flag.action,
            message=flag.message,
            reference=flag.reference,
        )


class CoachAnswer(BaseModel):
    """A screened, cited coaching answer. `model_dump()` is the public JSON contract:

    - `question` (str): the question as asked.
    - `answer` (str): the answer text; each evidence claim ends with `[n]` markers that refer to
      `citations`; tool numbers are copied from `tool_results` unchanged.
    - `citations` (list): `{doc_id, title, authors, year, journal, doi, n, page, section, quote}`, one per
      `[n]` used in `answer`, numbered 1..m in order of first use; `page` is a string such as
      "3" or "3-4" (null for unpaged sources); `quote` is the supporting passage text.
    - `tool_results` (list): `{tool, inputs, output, rule, reference}` for each calculator run;
      `output` holds the tool's full result including its `summary` sentence.
    - `safety_flags` (list): `{code, severity, action, message, reference}` from the
      deterministic screen; `action == "refer"` means the answer gives no training plan.
    - `abstained` (bool): true when fitcoach declined (out of scope, or no relevant evidence);
      `citations` is then empty.
    - `model` (str): the model that wrote the draft, e.g. "smollm2-135m-instruct + fitcoach-smollm2"
      or "smollm2-135m-instruct (no adapter)".

    Diagnostics (`timings`, `draft`, `composed`, `dropped`) are attributes only, not in the JSON.
    """

    model_config = ConfigDict(extra="forbid")

    question: str
    answer: str
    citations: list[Citation] = Field(default_factory=list)
    tool_results: list[ToolRun] = Field(default_factory=list)
    safety_flags: list[FlagReport] = Field(default_factory=list)
    abstained: bool = False
    model: str

    timings: dict[str, float] = Field(
        default_factory=dict, exclude=True, description="Seconds per graph step."
    )
    draft: str | None = Field(None, exclude=True, description="The model's unverified draft.")
    composed: bool = Field(
        False,
        exclude=True,
        description="True when the answer was composed from verified "
        "evidence and tool results instead of the model's draft.",
    )
    dropped: list[dict[str, Any]] = Field(
        default_factory=list, exclude=True, description="Draft sentences removed, with reasons."
    )

    @property
    def refer(self) -> bool:
        """True when a safety flag sent the athlete to a professional."""
        return any(f.action == "refer" for f in self.safety_flags)
