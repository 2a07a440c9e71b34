"""User account routes."""
