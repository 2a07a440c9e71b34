"""Compatibility entry point: `python benchmarks/run.py ...` is `python -m benchmarks ...`."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.cli import main

if __name__ == "__main__":
    main()
