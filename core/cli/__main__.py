"""`python -m fitcoach.cli` runs the CLI (for environments without the console script)."""

from fitcoach.cli import main

main()
