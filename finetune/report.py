"""The `report` stage: base vs CPT vs SFT vs RL on every metric, as Markdown and a PNG chart,
with each goal of the issue marked met or missed (and by how much).

    fitcoach finetune report --recipe cpu
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from fitcoach.finetune.evaluate import ModelScore

# (key, label, getter); values are fractions, shown as percentages
METRICS: list[tuple[str, str, Any]] = [
    ("exam_acc", "In-domain exam, held-out (acc)", lambda s: s.exam.acc),
    ("exam_acc_norm", "In-domain exam, held-out (acc_norm)", lambda s: s.exam.acc_norm),
    ("general_acc", "General control (acc)", lambda s: s.general.acc),
    ("general_acc_norm", "General control (acc_norm)", lambda s: s.general.acc_norm),
    ("citation", "Citation validity", lambda s: s.grounded.citation_validity),
    ("tool_numbers", "Tool-number fidelity", lambda s: s.grounded.tool_number_fidelity),
    ("safety", "Safety-action accuracy", lambda s: s.grounded.safety_accuracy),
    ("abstention", "Abstention accuracy", lambda s: s.grounded.abstention_accuracy),
    ("format", "Format score", lambda s: s.grounded.format),
]


class Goal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    target: str
    value: float | None
    met: bool
    gap: float | None  # points short of the target (0 when met)


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}"


def goals(scores: dict[str, ModelScore], final: str) -> list[Goal]:
    """The issue's goals, measured for the `final` model against the base."""
    base, last = scores.get("base"), scores.get(final)
    if base is None or last is None:
        return []
    gain = 100 * (last.exam.acc - base.exam.acc)
    gain_norm = 100 * (last.exam.acc_norm - base.exam.acc_norm)
    best_gain = max(gain, gain_norm)
    lost = 100 * (base.general.acc_norm - last.general.acc_norm)
    out = [
        Goal(
            name="Exam gain over base (best of acc/acc_norm)",
            target="≥ +10 points",
            value=best_gain,
            met=best_gain >= 10,
            gap=max(0.0, 10 - best_gain),
        )
    ]
    for name, value in (
        ("Citation validity", last.grounded.citation_validity),
        ("Tool-number fidelity", last.grounded.tool_number_fidelity),
    ):
        v = None if value is None else 100 * value
        out.append(
            Goal(
                name=name,
                target="≥ 95%",
                value=v,
                met=v is not None and v >= 95,
                gap=None if v is None else max(0.0, 95 - v),
            )
        )
    out.append(
        Goal(
            name="General control lost (acc_norm)",
            target="≤ 2 points",
            value=lost,
            met=lost <= 2,
            gap=max(0.0, lost - 2),
        )
    )
    return out


def render_markdown(scores: dict[str, ModelScore], meta: dict[str, Any] | None = None) -> str:
    names = list(scores)
    final = names[-1]
    lines = ["# fitcoach post-training report", ""]
    if meta:
        lines += [f"- {k}: {v}" for k, v in meta.items()] + [""]
    lines += [
        "| metric | " + " | ".join(names) + f" | {final} − base |",
        "| --- | " + " | ".join("---:" for _ in names) + " | ---: |",
    ]
    for _, label, get in METRICS:
        vals = [get(scores[n]) for n in names]
        delta = (
            "n/a" if vals[0] is None or vals[-1] is None else f"{100 * (vals[-1] - vals[0]):+.1f}"
        )
        lines.append(f"| {label} | " + " | ".join(_pct(v) for v in vals) + f" | {delta} |")
    first = scores[names[0]]
    lines += [
        "",
        f"Exam: {first.exam.n} held-out items; general control: {first.general.n} items; "
        f"grounded prompts: {first.grounded.n} from held-out documents "
        f"(counts {first.grounded.counts}). Percentages; deltas in points.",
        "",
        "## Goals",
        "",
        "| goal | target | measured | met | short by |",
        "| --- | --- | ---: | :---: | ---: |",
    ]
    for g in goals(scores, final):
        value = "n/a" if g.value is None else f"{g.value:.1f}"
        gap = "n/a" if g.gap is None else f"{g.gap:.1f}"
        lines.append(f"| {g.name} | {g.target} | {value} | {'yes' if g.met else 'no'} | {gap} |")
    lines += [
        "",
        "Evaluation seconds per model: " + ", ".join(f"{n} {scores[n].seconds:.0f}" for n in names),
        "",
    ]
    return "\n".join(lines)


def render_chart(scores: dict[str, ModelScore], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(scores)
    labels = [label for _, label, _ in METRICS]
    width = 0.8 / max(1, len(names))
    fig, ax = plt.subplots(figsize=(11, 4.8))
    for i, name in enumerate(names):
        vals = [100 * (get(scores[name]) or 0.0) for _, _, get in METRICS]
        ax.bar([j + i * width for j in range(len(labels))], vals, width, label=name)
    ax.set_xticks([j + width * (len(names) - 1) / 2 for j in range(len(labels))])
    ax.set_xticklabels(labels, rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("%")
    ax.set_ylim(0, 100)
    ax.set_title("fitcoach post-training: base vs CPT vs SFT vs RL")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(
    scores: dict[str, ModelScore], out_dir: Path, meta: dict[str, Any] | None = None
) -> tuple[Path, Path]:
    """Write REPORT.md and report.png into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    md, png = out_dir / "REPORT.md", out_dir / "report.png"
    text = render_markdown(scores, meta)
    md.write_text(
        text.replace(
            "# fitcoach post-training report",
            "# fitcoach post-training report\n\n![chart](report.png)",
            1,
        )
    )
    render_chart(scores, png)
    return md, png
