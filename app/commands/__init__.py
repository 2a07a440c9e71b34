"""Command-line commands beyond serving, grouped by concern; `app.__main__` registers them."""
