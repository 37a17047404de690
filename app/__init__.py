"""Aidons: hashtag-driven solidarity campaigns."""
