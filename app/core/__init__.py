"""Infrastructure shared by every feature: configuration, errors, wiring."""
