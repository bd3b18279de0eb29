"""`python -m fitcoach.agent.cli` runs the CLI (for environments without the console script)."""

from fitcoach.agent.cli import main

main()
