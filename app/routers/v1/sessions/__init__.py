"""Session management routes: one's own devices, and an admin's cut-off."""
