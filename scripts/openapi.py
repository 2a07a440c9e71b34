"""Write openapi.json, the API's OpenAPI document, at the repository root.

The document comes from `create_app` alone: no database, no `.env`. Clients are
generated from the committed file (see docs/clients.md).

Usage:
    python scripts/openapi.py          # write openapi.json
    python scripts/openapi.py --check  # exit 1 when openapi.json is stale
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.core.config.settings import Environment, Settings
from app.core.openapi import render_document
from app.main import create_app

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "openapi.json"


def current_document() -> str:
    """The document as the code describes it today, rendered as openapi.json holds it."""
    settings = Settings(_env_file=None, environment=Environment.DEVELOPMENT)
    return render_document(create_app(settings).openapi())


def main(argv: list[str] | None = None) -> int:
    """Write or check openapi.json; the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when openapi.json is stale")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="where to write (or check)")
    args = parser.parse_args(argv)
    document = current_document()
    if args.check:
        on_disk = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if on_disk != document:
            print(f"{args.output.name} is stale: run `task openapi`.", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(document, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
