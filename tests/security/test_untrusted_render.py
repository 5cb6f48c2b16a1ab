"""An untrusted golden path renders without the environment's secrets (copier's ``expandvars`` filter)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

from platformctl.errors import TemplateError
from platformctl.scaffold.catalog import load_golden_path
from platformctl.scaffold.render import render_golden_path
from tests.helpers import build_golden_path, configure_golden_path

TOKEN = "ghp_" + "Environment0Token1Value" * 2
PROBE = "{{ '$GH_TOKEN' | expandvars }} {{ '${HOME}' | expandvars }}\n"
QUESTIONS = """\
region:
  type: str
  default: "{{ '$GH_TOKEN' | expandvars }}"
"""


def probing_golden_path(tmp_path: Path, *, trusted: bool) -> None:
    folder = build_golden_path(
        tmp_path / "gp", name="tiny", questions=QUESTIONS, files={"probe.txt.jinja": PROBE}
    )
    configure_golden_path(Path.cwd(), "tiny", folder, trusted=trusted)


def test_an_untrusted_template_cannot_read_a_token_from_the_environment(cli, tmp_path, isolation):
    probing_golden_path(tmp_path, trusted=False)
    target = tmp_path / "billing"
    result = cli(
        "new", "service", "billing", "-g", "tiny", "--no-input", "--dir", str(target), env={"GH_TOKEN": TOKEN}
    )
    assert result.exit_code == 0, result.stderr
    assert (target / "probe.txt").read_text() == f"$GH_TOKEN {isolation}\n"  # HOME is still there
    answers = yaml.safe_load((target / "platform.yaml").read_text())["golden_path"]["answers"]
    assert answers["region"] == "$GH_TOKEN"  # the default, evaluated by platformctl, sees no token either
    history = subprocess.run(
        ["git", "-C", str(target), "log", "-p"], capture_output=True, text=True, check=True
    ).stdout
    assert TOKEN not in history


def test_a_trusted_template_keeps_the_whole_environment(cli, tmp_path):
    probing_golden_path(tmp_path, trusted=True)
    target = tmp_path / "billing"
    result = cli(
        "new",
        "service",
        "billing",
        "-g",
        "tiny",
        "--no-input",
        "--dir",
        str(target),
        "--set",
        "region=eu",
        env={"GH_TOKEN": TOKEN},
    )
    assert result.exit_code == 0, result.stderr
    assert (target / "probe.txt").read_text().startswith(f"{TOKEN} ")


@pytest.mark.parametrize("fails", [False, True])
def test_the_environment_is_whole_again_after_an_untrusted_render(tmp_path, monkeypatch, fails):
    monkeypatch.setenv("GH_TOKEN", TOKEN)
    folder = build_golden_path(
        tmp_path / "gp", files={"probe.txt.jinja": "{{ undefined_variable.attribute }}" if fails else PROBE}
    )
    gp = load_golden_path(folder, origin=str(folder), trusted=False)
    before = dict(os.environ)
    if fails:
        with pytest.raises(TemplateError):
            render_golden_path(gp, {"service_name": "x"}, tmp_path / "out")
    else:
        render_golden_path(gp, {"service_name": "x"}, tmp_path / "out")
    assert dict(os.environ) == before
