"""Kubernetes: one namespace per environment by server-side apply, and the kubeconfig loader."""
