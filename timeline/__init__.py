"""A static timeline website generator: one Markdown file per event, rendered through Jinja."""

__version__ = "0.1.0"
