"""Configuration and wiring of the infrastructure: settings, database, auth, logging, server."""
