"""Authentication plumbing: access-token encoding and decoding."""
