"""Real-estate listings: registration, status workflow and public search."""
