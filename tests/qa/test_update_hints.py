"""`update service` names only flags it has."""

from __future__ import annotations

from tests.helpers import build_golden_path, configure_golden_path


def test_a_new_question_without_default_names_set(cli, tmp_path):
    gp = build_golden_path(tmp_path / "gp")
    configure_golden_path(tmp_path / "work", "tiny", gp)
    assert cli("new", "service", "svc", "-g", "tiny").exit_code == 0
    (gp / "golden-path.yaml").write_text((gp / "golden-path.yaml").read_text().replace("1.0.0", "1.1.0"))
    (gp / "copier.yml").write_text((gp / "copier.yml").read_text() + "team:\n  type: str\n")
    result = cli("update", "service", "svc", "--no-input")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: no answer for team and prompting is off",
        "hint: pass --set team=VALUE",
    ]
    assert "--answers-file" not in cli("update", "service", "--help").stdout  # so no hint may name it
