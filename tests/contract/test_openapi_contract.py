"""Schemathesis fuzzes every operation, as three callers, and checks each answer against
the OpenAPI document: no 5xx, documented status, media type, headers and body; invalid
input refused with a 4xx, valid input accepted.

The document is the app's own (`app.openapi()`, what `/openapi.json` serves and
openapi.json commits); the requests go to the app in process, over its real pool.
"""

from collections import Counter
from collections.abc import Callable
from typing import Any, cast

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

from app.core.config.settings import Environment, Settings
from app.features.shared.cpf import cpf_from_number
from app.main import create_app
from tests.contract.budget import (
    MAX_EXAMPLES,
    MIN_CASES,
    SEED,
    STATEFUL_MAX_EXAMPLES,
    STATEFUL_STEPS,
    schemathesis_config,
)
from tests.contract.conftest import SPENDS_IDENTITY, Identity, asgi_client

# Loaded at import, so that pytest lists one test per operation; no database needed for it.
DOCUMENT = create_app(Settings(_env_file=None, environment=Environment.DEVELOPMENT)).openapi()
schema = schemathesis.openapi.from_dict(DOCUMENT, config=schemathesis_config())

# `format: cpf`: valid CPFs, in both of the spellings the API reads.
schemathesis.openapi.format(
    "cpf",
    st.builds(
        lambda cpf, punctuated: f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}" if punctuated else cpf,
        st.integers(min_value=1, max_value=999_999_998).map(cpf_from_number),
        st.booleans(),
    ),
)

# Refusals no schema can state, which valid-looking input may get: a well-formed cursor
# this server did not sign; a password of the right length that is common or the CPF
# (its length is in the schema: "Use at least/most N characters" is not excused); a
# well-formed If-Match that is not the listing's current ETag (412); an Idempotency-Key
# an earlier case already used with another body; a file that is not an image (only
# decoding it tells); an inquiry about one's own listing, or a second one about the same
# listing (409s: who owns the listing and what was sent before are in no schema).
UNSCHEMABLE_REFUSALS = frozenset(
    {
        "INVALID_CURSOR",
        "PASSWORD_REJECTED",
        "STALE_VERSION",
        "IDEMPOTENCY_KEY_REUSED",
        "PHOTO_REJECTED",
        "OWN_LISTING",
        "INQUIRY_EXISTS",
    }
)


def _unschemable_refusal(case: Any, response: Any) -> bool:
    """Whether valid-looking input was refused for a reason no schema can state."""
    if response.status_code not in (409, 412, 422):
        return False
    body = response.json()
    if body.get("code") in UNSCHEMABLE_REFUSALS:
        return not str(body.get("detail")).startswith("Use at")
    errors = body.get("errors") or [{"loc": []}]
    # Check digits (`format: cpf`), which the coverage phase does not know how to make;
    # addresses `format: email` allows but email-validator refuses (special-use domains
    # such as .test or localhost, and the like).
    if all(error["loc"][-1:] in (["cpf"], ["email"]) for error in errors):
        return True
    # The admins' user search reads a `q` with digits as a CPF: the same check digits.
    if all(error["loc"] == ["query", "q"] and "CPF" in error["msg"] for error in errors):
        return True
    # Filters out of order (min_price > max_price), a circle without its radius...: rules
    # across parameters, in a search's query or in the criteria a saved search holds.
    if all(error["loc"] in (["query"], ["body", "search"]) for error in errors):
        return True
    # Schemathesis' coverage phase sends an empty header when it cannot make a value of
    # the header's pattern from letters and digits alone (If-Match needs quotes).
    return any(value == "" for value in (case.headers or {}).values())


CASES: Counter[tuple[str, str]] = Counter()
"""Cases sent, by identity and operation."""


def test_the_fuzzed_document_is_the_one_the_app_serves(contract_app: FastAPI) -> None:
    with asgi_client(contract_app) as client:
        served = client.get("/openapi.json").json()

    assert served == DOCUMENT


def _fuzz_as(name: str) -> Callable[..., None]:
    @schema.parametrize()
    @settings(
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def fuzz(case: Any, contract_app: FastAPI, identities: dict[str, Identity]) -> None:
        identity = identities[name]
        CASES[(name, case.operation.label)] += 1
        headers = identity.headers()
        response = case.call(app=contract_app, headers=headers)
        excluded = [positive_data_acceptance] if _unschemable_refusal(case, response) else []
        case.validate_response(
            response,
            excluded_checks=excluded,
            headers=headers,
            transport_kwargs={"app": contract_app, "headers": headers},
        )
        spent = case.operation.definition.raw.get("operationId") in SPENDS_IDENTITY
        if spent and response.status_code < 300:
            identity.forget()

    return cast("Callable[..., None]", fuzz)


test_every_operation_answers_as_documented_to_anonymous_callers = _fuzz_as("anonymous")
test_every_operation_answers_as_documented_to_a_collector = _fuzz_as("collector")
test_every_operation_answers_as_documented_to_an_admin = _fuzz_as("admin")


@pytest.mark.parametrize("name", ["collector", "admin"])
def test_linked_operations_answer_as_documented_in_sequence(
    name: str, contract_app: FastAPI, identities: dict[str, Identity]
) -> None:
    """Stateful: chains of calls that follow the document's links (a listing created,
    then read, edited with its ETag, published...; an account made, then managed)."""
    identity = identities[name]

    class Machine(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            CASES[(f"{name} (stateful)", case.operation.label)] += 1
            return {"app": contract_app, "headers": identity.headers()}

        def validate_response(
            self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any
        ) -> None:
            excluded = [positive_data_acceptance] if _unschemable_refusal(case, response) else []
            case.validate_response(
                response,
                excluded_checks=excluded,
                headers=kwargs.get("headers"),
                transport_kwargs=kwargs,
            )
            spent = case.operation.definition.raw.get("operationId") in SPENDS_IDENTITY
            if spent and response.status_code < 300:
                identity.forget()

    Machine.run(
        settings=settings(
            max_examples=STATEFUL_MAX_EXAMPLES,
            stateful_step_count=STATEFUL_STEPS,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )


def test_the_fuzzing_sent_cases_to_every_operation_as_every_identity() -> None:
    """Run after the fuzz tests: the fuzzing cannot silently do nothing."""
    operations = {
        f"{method.upper()} {path}" for path, item in DOCUMENT["paths"].items() for method in item
    }
    fuzzed = {identity for identity, _ in CASES if "stateful" not in identity}
    missing = [
        (identity, label)
        for identity in fuzzed
        for label in operations
        if not CASES[(identity, label)]
    ]
    total = sum(CASES.values())
    stateful = sum(count for (who, _), count in CASES.items() if "stateful" in who)
    linked = sorted({label for (who, label) in CASES if "stateful" in who})
    print(
        f"\ncontract fuzzing: {total} cases ({stateful} in linked sequences, reaching "
        f"{len(linked)} operations) over {len(operations)} operations as {len(fuzzed)} "
        f"identities, seed {SEED}, {MAX_EXAMPLES} examples per operation and phase"
    )
    assert not missing
    if len(fuzzed) == 3:
        assert total >= MIN_CASES
