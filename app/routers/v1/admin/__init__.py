"""Admin-only routes that belong to no single feature: the audit trail."""
