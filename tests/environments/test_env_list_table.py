"""`env list` prints its table as fixed-width lines (no rich Table): aligned, escaped, complete."""

from __future__ import annotations

from pathlib import Path

from tests.environments.conftest import write_service


def test_env_list_columns_line_up_under_the_header(cli, store):
    write_service(Path.cwd())
    assert cli("env", "up", "staging").exit_code == 0
    assert cli("env", "up", "production").exit_code == 0
    listed = cli("env", "list")
    assert listed.exit_code == 0, listed.stderr
    header, *rows = listed.stdout.splitlines()
    assert header.split() == ["environment", "provider", "class", "state", "expires"]
    assert sorted(row.split()[0] for row in rows) == ["production", "staging"]
    # every column starts where its header does, and no line ends in padding
    starts = [header.index(column) for column in ("provider", "class", "state", "expires")]
    for row in rows:
        assert row == row.rstrip()
        assert all(row[start - 2 : start] == "  " and row[start] != " " for start in starts), row
    assert len(rows) == 2
