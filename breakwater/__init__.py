"""Breakwater: self-hosted community management."""

__version__ = "0.1.0"
