"""`python -m benchmarks`: see benchmarks/cli.py and docs/benchmarks.md."""

from benchmarks.cli import main

main()
