"""Flags shared by many commands, declared once."""

from __future__ import annotations

from typing import Annotated

import typer

JsonOpt = Annotated[
    bool,
    typer.Option("--json", help="Print one JSON document on stdout (see 'platformctl docs json-output')"),
]
NoInputOpt = Annotated[bool, typer.Option("--no-input", help="Never prompt; a missing value is an error")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", "-n", help="Show what would happen and change nothing")]
