"""GitLab: projects, protected branches, environments and scoped CI/CD variables."""
