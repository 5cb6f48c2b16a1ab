"""platformctl: golden paths, environments and maturity for platform teams."""

__version__ = "0.1.0"
