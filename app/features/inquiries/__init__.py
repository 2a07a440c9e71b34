"""Inquiries: a signed-in searcher writes to a listing's collector, who reads and answers."""
