"""The fleet: every service of an organisation on its golden path, and rollouts as pull requests."""
