"""scripts/error_generator.py: the catalogue's generated Python, per feature, stays in sync."""

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

import app.features.auth.exceptions
import app.features.real_estates.exceptions
import app.features.users.exceptions
from app.core.errors.catalogue import CATALOGUE

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "error_generator", ROOT / "scripts/error_generator.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while executing it
    spec.loader.exec_module(module)
    return module


def test_the_committed_generated_files_are_up_to_date(generator: ModuleType) -> None:
    assert generator.main(["--check"]) == 0


@pytest.mark.parametrize(
    "module",
    [
        app.features.auth.exceptions,
        app.features.users.exceptions,
        app.features.real_estates.exceptions,
    ],
    ids=lambda module: module.__name__.split(".")[2],
)
def test_each_feature_exposes_exactly_its_own_catalogue_entries(module: ModuleType) -> None:
    feature = module.__name__.split(".")[2]
    entries = json.loads((ROOT / "errors.json").read_text(encoding="utf-8"))["errors"]
    codes = {entry["code"] for entry in entries if entry["feature"] == feature}

    exposed = {getattr(module, name).code for name in module.__all__}

    assert codes
    assert exposed == codes
    assert all(
        getattr(module, name) is CATALOGUE[getattr(module, name).code] for name in module.__all__
    )
    assert "GENERATED" in (module.__doc__ or "")


def test_a_feature_without_a_folder_is_refused(generator: ModuleType) -> None:
    spec = generator.ErrorSpec(
        code="LISTING_GONE",
        status=410,
        title="Gone",
        description="Gone.",
        feature="no_such_feature",
    )

    with pytest.raises(ValueError, match="no_such_feature"):
        generator.feature_modules([spec])
