"""Tools for the authors of golden paths: ``golden-path lint``, ``golden-path test``, ``golden-path new``.

Domain code only: no typer, no rich, no printing. The heavy validators (kubernetes-validate,
jsonschema, check-jsonschema's SchemaStore copies) come from the optional ``authoring`` extra.
"""
