"""Listing photos: uploads checked by content, stored as renditions, listed in order."""
