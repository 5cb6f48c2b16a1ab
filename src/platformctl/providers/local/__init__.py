"""The embedded local provider: bare repositories and a SQLite environment store under home."""
