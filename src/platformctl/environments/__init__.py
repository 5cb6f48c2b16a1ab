"""Environments of a service: spec (what is wanted), plan (the difference), apply (make it so)."""
