"""Routes of listing photos."""
