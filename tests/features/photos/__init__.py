"""Tests of listing photos."""
