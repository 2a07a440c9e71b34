"""Domain code shared by several features."""
