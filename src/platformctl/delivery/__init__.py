"""Software delivery performance: the five DORA metrics computed from recorded events.

Pure domain code: no typer, no rich, no providers. Sources (an events file, the local store,
forges) turn their data into :mod:`platformctl.delivery.events` objects; :mod:`.metrics`
computes the figures; :mod:`.report` shapes the document every output is rendered from.
"""
