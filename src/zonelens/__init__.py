"""zonelens: where policy attention goes in Chinese work reports."""

__version__ = "0.1.0"
