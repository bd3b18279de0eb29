"""The agent's commands: `ask`, `tool`, `doctor` (the CLI root lives in `fitcoach.cli`)."""
