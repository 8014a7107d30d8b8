"""Pebbles: build a learning site from Markdown lessons and prove their code true."""

__version__ = "0.1.0"
