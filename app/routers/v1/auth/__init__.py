"""Sign-in and token routes."""
