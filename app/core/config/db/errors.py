"""Reading database errors without depending on the driver's exception classes."""

from sqlalchemy.exc import DBAPIError, IntegrityError

# SQLSTATE class 22: the database refused a value (NUL byte, out of range, bad encoding...).
DATA_EXCEPTION_CLASS = "22"


def _driver_attribute(error: DBAPIError, name: str) -> str | None:
    for candidate in (error.orig, getattr(error.orig, "__cause__", None)):
        value = getattr(candidate, name, None)
        if isinstance(value, str):
            return value
    return None


def violated_constraint(error: IntegrityError) -> str | None:
    """Name of the constraint an IntegrityError broke, when the driver reports it."""
    return _driver_attribute(error, "constraint_name")


def is_data_exception(error: DBAPIError) -> bool:
    """Whether PostgreSQL refused a value the client sent (SQLSTATE class 22)."""
    state = _driver_attribute(error, "sqlstate")
    return state is not None and state.startswith(DATA_EXCEPTION_CLASS)
