"""Real Estate API: a layered FastAPI service over PostgreSQL."""
