"""How much the contract suite fuzzes: a fixed seed and a bounded number of cases."""

import os
from typing import Any

from schemathesis import Config

SEED = 20_240_917
"""The Schemathesis/Hypothesis seed: every run generates the same requests."""

DEFAULT_MAX_EXAMPLES = 12
"""Cases per operation, identity and generation phase in a normal `pytest` run."""

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", DEFAULT_MAX_EXAMPLES))
"""`FUZZ_MAX_EXAMPLES=200 pytest tests/contract` fuzzes harder (same seed, more cases)."""

MIN_CASES = 34 * 3 * min(MAX_EXAMPLES, 5)
"""Fewer cases than this over 34 operations (of 40) and 3 identities means the fuzzing broke."""

STATEFUL_MAX_EXAMPLES = max(4, MAX_EXAMPLES // 2)
"""Scenarios (chains of linked calls) per identity of the stateful test."""

STATEFUL_STEPS = 8
"""Calls at most in one scenario."""


def schemathesis_config() -> Config:
    """The configuration the schema is loaded with: seed, budget and every check."""
    data: dict[str, Any] = {
        "seed": SEED,
        # No NUL characters: PostgreSQL text cannot hold them, and the API answers them
        # with 422 VALIDATION_ERROR, which no string schema can state.
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "allow-x00": False},
        # No database of failing examples: a run depends on the seed alone.
        "checks": {
            "enabled": True,
            # RFC 6585: a required If-Match that is missing is a 428, not a 400 or 422.
            "missing_required_header": {
                "expected-statuses": ["400", "401", "403", "406", "415", "422", "428"]
            },
        },
    }
    return Config.from_dict(data)
