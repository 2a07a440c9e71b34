"""The audit trail: security-relevant actions, append-only."""
