# syntax=docker/dockerfile:1
# One-shot job: waits for PostgreSQL, takes an advisory lock and upgrades to head.
#   docker build -f dockerfiles/migrate.Dockerfile -t real-estate-migrate .

FROM python:3.11-slim-bookworm AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    POETRY_VIRTUALENVS_CREATE=false \
    POETRY_NO_INTERACTION=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH
RUN pip install "poetry==2.5.1" && python -m venv /opt/venv
WORKDIR /build
COPY pyproject.toml poetry.lock README.md ./
RUN poetry install --only main --no-root --no-cache

FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /srv --no-create-home app
WORKDIR /srv
COPY --from=builder /opt/venv /opt/venv
COPY --chown=app:app alembic.ini ./
COPY --chown=app:app migrations ./migrations
COPY --chown=app:app app ./app
COPY --chown=app:app scripts/migrate.py ./scripts/migrate.py
USER 10001:10001
# A job, not a server: nothing to probe while it runs.
HEALTHCHECK NONE
CMD ["python", "scripts/migrate.py"]
