"""The wheel carries the golden paths, and an installed platformctl finds them from anywhere."""

import os
import subprocess
import sys
import zipfile

import pytest

from tests.conftest import REPO_ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    pytest.importorskip("hatchling")
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(REPO_ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (path,) = out.glob("platformctl-*.whl")
    return path


def test_wheel_contains_golden_paths_and_entry_point(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "platformctl/golden_paths/python-service/copier.yml" in names
    assert "platformctl/golden_paths/python-service/golden-path.yaml" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "platformctl = platformctl.__main__:main" in text


def test_unpacked_wheel_finds_bundled_golden_paths_from_another_directory(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    proc = subprocess.run(
        [sys.executable, "-m", "platformctl", "golden-path", "show", "python-service", "--json"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert '"name": "python-service"' in proc.stdout
    check = subprocess.run(
        [sys.executable, "-c", "import platformctl; print(platformctl.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert check.stdout.startswith(str(site))
