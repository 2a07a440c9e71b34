"""Domain error base class, the generated catalogue and their HTTP rendering."""
