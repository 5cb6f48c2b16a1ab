"""GitHub: repositories, default-branch protection, deployment environments and their secrets."""
