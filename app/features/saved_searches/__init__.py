"""Saved searches: a user keeps a search, runs it again, and learns how many listings are new."""
