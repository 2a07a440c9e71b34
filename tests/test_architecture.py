"""The layering rules, checked on the import statements of the source tree."""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> Iterator[str]:
    """Every module a Python file imports (absolute imports only: the project uses no others)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def violations(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    """`file: module` for each import under `folder` of a module in (or under) `forbidden`."""
    found = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for module in imported_modules(path):
            if any(module == banned or module.startswith(f"{banned}.") for banned in forbidden):
                found.append(f"{path.relative_to(ROOT)}: {module}")
    return found


@pytest.mark.parametrize(
    ("folder", "forbidden"),
    [
        pytest.param(
            "app/core",
            ("app.features", "app.routers", "app.wiring", "app.main"),
            id="core-is-plumbing",
        ),
        pytest.param(
            "app/features",
            ("app.routers", "app.wiring", "app.main", "fastapi", "starlette"),
            id="features-know-no-http",
        ),
    ],
)
def test_lower_layers_never_import_upper_ones(folder: str, forbidden: tuple[str, ...]) -> None:
    assert violations(folder, forbidden) == []


@pytest.mark.parametrize("folder", ["tests", "benchmarks", "scripts", "app/features"])
def test_services_are_built_by_the_composition_root_not_by_routers(folder: str) -> None:
    service_factories = tuple(
        f"{'.'.join(path.relative_to(ROOT).with_suffix('').parts)}.{function.name}"
        for path in (ROOT / "app" / "routers").rglob("dependencies.py")
        for function in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(function, ast.AsyncFunctionDef | ast.FunctionDef)
        and function.name.endswith("_service")
    )

    assert service_factories
    assert violations(folder, service_factories) == []


def test_the_command_line_builds_services_through_the_composition_root() -> None:
    files = [ROOT / "app" / "__main__.py", *(ROOT / "app" / "commands").glob("*.py")]
    modules = {module for path in files for module in imported_modules(path)}

    assert not {module for module in modules if module.startswith("app.routers")}
    assert "app.wiring" in modules


def test_repositories_never_import_services() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in (ROOT / "app" / "features").rglob("repository.py")
        for module in imported_modules(path)
        if module.endswith(".service") or ".service." in module
    ]

    assert offenders == []
