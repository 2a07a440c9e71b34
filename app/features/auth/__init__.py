"""Authentication: sign-in sessions, credentials and access tokens."""
