"""The Dockerfile: checked as text always, built and run when a container engine works here."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from platformctl import __version__
from tests.ci.definitions import REPO_ROOT

DOCKERFILE = (REPO_ROOT / "Dockerfile").read_text()
LINES = [line.strip() for line in DOCKERFILE.splitlines()]


def _final_stage() -> list[str]:
    froms = [i for i, line in enumerate(LINES) if line.upper().startswith("FROM ")]
    assert len(froms) >= 2, "the image is built in one stage and run from another"
    return LINES[froms[-1] :]


def test_runtime_stage_is_non_root_with_git_and_platformctl_as_entrypoint() -> None:
    final = _final_stage()
    users = [line.split()[1] for line in final if line.startswith("USER ")]
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) > 0
    assert any(line.startswith("COPY --from=build ") for line in final)
    assert any("apt-get install" in line and " git " in f"{line} " for line in final)
    assert 'ENTRYPOINT ["platformctl"]' in final


def test_oci_labels() -> None:
    for label in ("title", "description", "version", "revision", "licenses", "source"):
        assert f"org.opencontainers.image.{label}=" in DOCKERFILE


def test_dockerignore_keeps_local_state_out_of_the_context() -> None:
    ignored = (REPO_ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", ".platformctl"} <= set(ignored)
    copied = [line.split()[1] for line in LINES if line.startswith("COPY ") and "--from" not in line]
    assert not [path for path in copied if path in ignored]
    sources = [
        p for line in LINES if line.startswith("COPY ") and "--from" not in line for p in line.split()[1:-1]
    ]
    assert [p for p in sources if not (REPO_ROOT / p).exists()] == []


def _engine() -> str | None:
    """A container engine whose daemon answers (docker may be installed without one)."""
    for name in ("docker", "podman"):
        if shutil.which(name) is None:
            continue
        probe = subprocess.run([name, "info"], capture_output=True, text=True, check=False, timeout=60)
        if probe.returncode == 0:
            return name
    return None


@pytest.mark.slow
def test_image_builds_and_runs_unprivileged() -> None:
    engine = _engine()
    if engine is None:
        pytest.skip("no usable container engine (docker or podman without a running daemon)")
    tag = "platformctl:test"
    build = subprocess.run(
        [engine, "build", "--build-arg", "REVISION=test", "-t", tag, str(REPO_ROOT)],
        capture_output=True,
        text=True,
        check=False,
        timeout=1200,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    try:
        version = subprocess.run([engine, "run", "--rm", tag, "--version"], capture_output=True, text=True)
        assert version.stdout.strip() == f"platformctl {__version__}"
        uid = subprocess.run(
            [engine, "run", "--rm", "--entrypoint", "id", tag, "-u"], capture_output=True, text=True
        )
        assert uid.stdout.strip() == "10001"
        git = subprocess.run(
            [engine, "run", "--rm", "--entrypoint", "git", tag, "--version"], capture_output=True
        )
        assert git.returncode == 0
        inspect = subprocess.run(
            [engine, "image", "inspect", tag], capture_output=True, text=True, check=True
        )
        labels = json.loads(inspect.stdout)[0]["Config"]["Labels"]
        assert labels["org.opencontainers.image.version"] == __version__
        assert labels["org.opencontainers.image.revision"] == "test"
    finally:
        subprocess.run([engine, "image", "rm", "-f", tag], capture_output=True, check=False)
