"""The post-training pipeline: recipes, the document split, every stage on a tiny random model
(CLI included), resume after an interruption, exam scoring, the report and the shipped adapter."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from fitcoach.errors import ConfigError, UnknownNameError
from fitcoach.finetune.corpus import load_notes
from fitcoach.finetune.dialogues import build
from fitcoach.finetune.recipe import load_recipe, recipe_names
from fitcoach.finetune.records import load_dialogues

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "finetune" / "adapters" / "fitcoach-smollm2"


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from fitcoach.finetune.tiny import build_tiny_model

    notes = load_notes()[:6]  # a few notes are enough text for a 400-piece vocabulary
    from fitcoach.finetune.corpus import note_text

    return build_tiny_model(
        tmp_path_factory.mktemp("tiny") / "model", [note_text(n) for n in notes], 400
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("data")
    metrics = build(load_recipe("cpu").data, out)
    return out, metrics


# --- recipes -------------------------------------------------------------------------------


def test_bundled_recipes_validate() -> None:
    assert {"cpu-smoke", "cpu", "gpu"} <= set(recipe_names())
    for name in recipe_names():
        recipe = load_recipe(name)
        assert recipe.name == name
        assert recipe.rl.num_generations >= 2
    assert load_recipe("gpu").precision == "bf16"


def test_recipe_overrides_and_errors(tmp_path: Path) -> None:
    recipe = load_recipe("cpu", ["sft.max_steps=7", "lora.r=4", "eval.stages=[base, sft]"])
    assert (recipe.sft.max_steps, recipe.lora.r, recipe.eval.stages) == (7, 4, ["base", "sft"])
    with pytest.raises(UnknownNameError) as err:
        load_recipe("laptop")
    assert "cpu-smoke" in err.value.hint
    with pytest.raises(ConfigError, match="max_steps"):
        load_recipe("cpu", ["sft.max_steps=0"])
    custom = tmp_path / "mine.yaml"
    custom.write_text("name: mine\nsft: {max_steps: 3}\nbogus: 1\n")
    with pytest.raises(ConfigError, match="bogus"):
        load_recipe(custom)


# --- data ----------------------------------------------------------------------------------


def test_data_stage_builds_enough_varied_grounded_dialogues(built) -> None:
    from fitcoach.agent.prompts import SYSTEM_PROMPT

    out, metrics = built
    sft = load_dialogues(out / "sft.jsonl")
    grounded = [d for d in sft if d.kind != "exam"]
    assert len(grounded) >= 2000
    assert {"evidence", "tool", "abstain", "exam"} <= {d.kind for d in sft}
    # prompts come from the agent's build_messages: same system prompt, same layout
    assert all(d.messages[0]["content"] == SYSTEM_PROMPT for d in grounded)
    assert all(d.messages[1]["content"].startswith("Question: ") for d in grounded)
    questions = {d.messages[1]["content"].split("\n")[0] for d in grounded}
    assert len(questions) > 500  # not one template
    assert metrics["counts"]["sft.jsonl"] == len(sft)


def test_reference_answers_pass_the_rewards(built) -> None:
    from fitcoach.finetune.evaluate import grounded_metrics

    out, _ = built
    rows = [d.model_dump() for d in load_dialogues(out / "sft.jsonl") if d.kind != "exam"]
    score = grounded_metrics(rows, [r["answer"] for r in rows])
    assert score.citation_validity == 1.0
    assert score.tool_number_fidelity in (1.0, None)
    assert score.abstention_accuracy > 0.97


def test_split_is_by_document(built) -> None:
    out, metrics = built
    split = json.loads((out / "split.json").read_text())
    train, heldout = set(split["train"]), set(split["heldout"])
    assert train and heldout and not train & heldout
    assert len(train | heldout) == len(load_notes())
    for name in ("sft.jsonl", "rl.jsonl"):
        for d in load_dialogues(out / name):
            assert set(d.doc_ids) <= train, (name, d.id)
    for d in load_dialogues(out / "heldout.jsonl"):
        assert set(d.doc_ids) <= heldout, d.id
    heldout_titles = [n.title for n in load_notes() if n.doc_id in heldout]
    cpt = (out / "cpt.jsonl").read_text()
    assert not any(json.dumps(t)[1:-1] in cpt for t in heldout_titles)


def test_data_is_deterministic_and_seeded(tmp_path: Path, built) -> None:
    _, metrics = built
    cfg = load_recipe("cpu").data
    again = build(cfg, tmp_path / "a")
    assert again["hashes"] == metrics["hashes"]
    other = build(cfg.model_copy(update={"seed": 1}), tmp_path / "b")
    assert other["hashes"]["sft.jsonl"] != metrics["hashes"]["sft.jsonl"]


# --- every stage on a tiny model, through the CLI --------------------------------------------


def _cli(*args: str):
    from fitcoach.cli import cli

    return CliRunner().invoke(cli, ["finetune", *args], catch_exceptions=False)


def test_every_stage_runs_on_a_tiny_model(tiny_model: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    common = [
        "--recipe",
        "cpu-smoke",
        "--output",
        str(out),
        "--set",
        f"base_model={tiny_model}",
        "--set",
        "data.sft_dialogues=40",
    ]
    result = _cli("run", *common)
    assert result.exit_code == 0, result.output
    for stage, parent in (("cpt", None), ("sft", "cpt"), ("rl", "sft")):
        meta = json.loads((out / stage / "meta.json").read_text())
        assert meta["parent"] == parent
        assert meta["metrics"]["steps"] >= 1
        assert (out / stage / "adapter_model.safetensors").is_file()
        assert (out / stage / "loss.jsonl").read_text().strip()
    assert json.loads((out / "rl" / "meta.json").read_text())["recipe"]["rl"]["rewards"]
    summary = json.loads((out / "eval" / "summary.json").read_text())
    assert set(summary) == {"base", "cpt", "sft", "rl"}
    assert (out / "report" / "REPORT.md").read_text().count("|") > 20
    assert (out / "report" / "report.png").stat().st_size > 1000
    export = out / "export"
    card = (export / "MODEL_CARD.md").read_text()
    from fitcoach.finetune.train import sha256

    assert sha256(export / "adapter_model.safetensors") in card

    # a second run skips finished stages; merge writes a standalone model
    again = _cli("run", *common, "--stages", "cpt,sft")
    assert again.exit_code == 0
    merged = _cli("merge", *common)
    assert merged.exit_code == 0, merged.output
    assert (out / "merge" / "config.json").is_file()


def test_stage_without_its_input_says_what_to_run(tmp_path: Path) -> None:
    result = _cli("sft", "--recipe", "cpu-smoke", "--output", str(tmp_path / "empty"))
    assert result.exit_code == 2
    assert "fitcoach finetune data" in result.output


def test_interrupted_stage_resumes_from_its_last_checkpoint(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from transformers import TrainerCallback

    from fitcoach.finetune import train
    from fitcoach.finetune.pipeline import make_run, run_stage

    run = make_run(
        "cpu-smoke",
        tmp_path / "run",
        overrides=[f"base_model={tiny_model}", "data.sft_dialogues=40", "sft.max_steps=3"],
    )
    run_stage(run, "data")
    run_stage(run, "cpt")
    real_logger = train._loss_logger

    class Crash(TrainerCallback):
        def on_step_end(self, args, state, control, **kw):
            if state.global_step == 2:  # checkpoint-1 is on disk, step 2's is not
                raise KeyboardInterrupt

    monkeypatch.setattr(train, "_loss_logger", lambda path: [real_logger(path), Crash()][1])
    with pytest.raises(KeyboardInterrupt):
        run_stage(run, "sft")
    assert not (run.run_dir / "sft" / "meta.json").exists()
    monkeypatch.setattr(train, "_loss_logger", real_logger)
    meta = run_stage(run, "sft")
    assert meta.metrics["resumed_from"] == "checkpoint-1"
    assert meta.metrics["steps"] == 3


# --- evaluation pieces -----------------------------------------------------------------------


def test_shared_prompt_scoring_matches_scoring_each_pair(tiny_model: Path, tmp_path: Path) -> None:
    import torch

    from fitcoach.finetune.evaluate import choice_logprobs
    from fitcoach.models import load_causal_lm

    model, tok = load_causal_lm(str(tiny_model), tmp_path)
    prompt = "Question: which energy system powers a 6 s sprint?\nAnswer:"
    choices = [" phosphagen", " oxidative system", " fast glycolysis with lactate"]
    shared = choice_logprobs(model, tok, prompt, choices)
    for choice, got in zip(choices, shared, strict=True):
        p = tok(prompt, add_special_tokens=False)["input_ids"]
        c = tok(choice, add_special_tokens=False)["input_ids"]
        with torch.no_grad():
            logp = torch.log_softmax(model(input_ids=torch.tensor([p + c])).logits[0], -1)
        want = sum(float(logp[len(p) - 1 + i, t]) for i, t in enumerate(c))
        assert got == pytest.approx(want, abs=1e-4)


def test_report_marks_goals_met_and_missed(tmp_path: Path) -> None:
    from fitcoach.finetune.evaluate import GroundedScore, McqScore, ModelScore
    from fitcoach.finetune.report import goals, write_report

    def score(name: str, exam: float, general: float, cite: float) -> ModelScore:
        return ModelScore(
            model=name,
            adapter=None,
            seconds=1.0,
            exam=McqScore(n=100, acc=exam, acc_norm=exam),
            general=McqScore(n=100, acc=general, acc_norm=general),
            grounded=GroundedScore(
                n=10,
                citation_validity=cite,
                tool_number_fidelity=1.0,
                safety_accuracy=1.0,
                abstention_accuracy=0.9,
                format=1.0,
            ),
        )

    scores = {"base": score("base", 0.30, 0.50, 0.2), "rl": score("rl", 0.36, 0.49, 0.97)}
    found = {g.name.split(" (")[0]: g for g in goals(scores, "rl")}
    assert not found["Exam gain over base"].met
    assert found["Exam gain over base"].gap == pytest.approx(4.0)
    assert found["Citation validity"].met
    assert found["General control lost"].met
    md, png = write_report(scores, tmp_path)
    assert "| no |" in md.read_text() and png.stat().st_size > 1000


def test_cli_help_imports_nothing_heavy() -> None:
    code = (
        "import sys; from click.testing import CliRunner; from fitcoach.cli import cli; "
        "r = CliRunner().invoke(cli, ['finetune', '--help']); assert r.exit_code == 0, r.output; "
        "heavy = [m for m in ('torch', 'transformers', 'trl', 'peft') if m in sys.modules]; "
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- the shipped adapter ---------------------------------------------------------------------


def test_shipped_adapter_card_matches_its_files() -> None:
    if not SHIPPED.is_dir():
        pytest.skip("no adapter shipped yet")
    from fitcoach.finetune.train import sha256

    weights = SHIPPED / "adapter_model.safetensors"
    assert weights.stat().st_size <= 25 * 2**20
    meta = json.loads((SHIPPED / "meta.json").read_text())
    assert meta["adapter_sha256"] == sha256(weights)
    assert meta["adapter_config_sha256"] == sha256(SHIPPED / "adapter_config.json")
    assert sha256(weights) in (SHIPPED / "MODEL_CARD.md").read_text()
    assert meta["base_model"] == "smollm2-135m-instruct"
    config = json.loads((SHIPPED / "adapter_config.json").read_text())
    assert config["r"] == meta["recipe"]["lora"]["r"]


@pytest.mark.slow
def test_shipped_adapter_loads_on_the_bundled_model(fitcoach_home: Path) -> None:
    if not SHIPPED.is_dir():
        pytest.skip("no adapter shipped yet")
    from fitcoach.finetune.evaluate import generate
    from fitcoach.models import load_causal_lm

    model, tok = load_causal_lm("smollm2-135m-instruct", fitcoach_home / "models", adapter=SHIPPED)
    [answer] = generate(
        model, tok, [[{"role": "user", "content": "Question: how much protein?"}]], 12, 1
    )
    assert answer.strip()


@pytest.mark.slow
def test_cpu_smoke_recipe_end_to_end(tmp_path: Path) -> None:
    result = _cli("run", "--recipe", "cpu-smoke", "--output", str(tmp_path / "smoke"))
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "smoke" / "eval" / "summary.json").read_text())
    assert set(summary) == {"base", "cpt", "sft", "rl"}
    assert (tmp_path / "smoke" / "export" / "MODEL_CARD.md").is_file()


def test_gpu_recipe_full_parameter_runs_on_cpu_with_a_tiny_model(
    tiny_model: Path, tmp_path: Path
) -> None:
    """The gpu recipe's code path (full-parameter option included), shrunk to a few steps."""
    out = tmp_path / "gpu"
    sets = [
        f"base_model={tiny_model}",
        "threads=1",
        "precision=fp32",
        "gradient_checkpointing=false",
        "lora.full_parameter=true",
        "data.sft_dialogues=40",
        "data.rl_prompts=8",
        "data.heldout_prompts=8",
        "cpt.max_steps=1",
        "cpt.batch_size=2",
        "sft.max_steps=1",
        "sft.batch_size=2",
        "rl.max_steps=1",
        "rl.batch_size=2",
        "rl.num_generations=2",
        "rl.max_completion_length=8",
        "eval.grounded_prompts=2",
        "eval.max_new_tokens=8",
        "eval.mcq_limit=2",
    ]
    args = ["--recipe", "gpu", "--output", str(out)]
    for item in sets:
        args += ["--set", item]
    result = _cli("run", *args)
    assert result.exit_code == 0, result.output
    assert (out / "rl" / "model.safetensors").is_file()  # a whole model, not an adapter
    meta = json.loads((out / "export" / "meta.json").read_text())
    assert meta["weights_file"] == "model.safetensors"
    assert _cli("merge", *args).exit_code == 0
