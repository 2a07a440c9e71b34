"""Real-estate listing routes."""
