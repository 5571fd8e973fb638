"""Listening: topics over the public conversation."""
