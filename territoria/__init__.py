"""Territoria: the data platform a French region runs as trusted third party of its territory."""

__version__ = "0.1.0"
