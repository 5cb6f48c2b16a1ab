"""Backstage: catalog registration of a service's catalog-info.yaml."""
