"""Favourite routes: a signed-in user saves listings and lists them."""
