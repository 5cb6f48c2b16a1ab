"""The built-in maturity model travels inside the wheel and loads from an unpacked install."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

from tests.test_packaging import wheel  # noqa: F401 (the fixture, built once per run)


def test_wheel_ships_the_model_and_it_loads(wheel, tmp_path):  # noqa: F811
    assert "platformctl/maturity/model.yaml" in zipfile.ZipFile(wheel).namelist()
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site)}
    script = "from platformctl.maturity.model import load_model; print(len(load_model().questions))"
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "43"
