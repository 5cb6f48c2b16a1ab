"""``platformctl assess maturity``: the model, answers, evidence, scoring, reports and history.

Pure domain code: no typer, no rich, no printing. The CLI lives in ``platformctl.cli.assess_cmd``.
"""
