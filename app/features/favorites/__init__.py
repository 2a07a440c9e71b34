"""A user's saved listings (favourites)."""
