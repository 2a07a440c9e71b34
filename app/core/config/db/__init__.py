"""Database plumbing: declarative base, engine, sessions and the embedded server."""
