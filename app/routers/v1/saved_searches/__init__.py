"""Routes of saved searches."""
