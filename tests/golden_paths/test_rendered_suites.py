"""Each golden path, created through the real CLI, passes its own tests and lint, and serves.

Slow: installs dependencies (pip, npm) and compiles (go). Package caches live in the real home
directory so repeated runs are fast; the services' code does not depend on the ``ci`` answer,
so each suite runs once, on a ``ci=gitlab`` render (the artifact tests cover ``github``) with
every platform piece switched on, and the metrics the running service exports are checked
against every query of its rules and dashboard.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.golden_paths.gp_support import (
    ENVIRONMENTS,
    backstage_errors,
    kustomize_build,
    load_yaml,
    manifest_errors,
    schema_errors,
    unknown_metrics,
)

STACK = ("gitops=argocd", "monitoring=true", "secrets=true", "infra=true")

pytestmark = pytest.mark.slow
# Read at import, before the isolation fixture points HOME at a temporary folder.
REAL_HOME = Path.home()


def tool_env(**extra: str) -> dict[str, str]:
    """The environment of the services' own tools: the developer's real home (caches, registry
    configuration) and no OTEL_* leaking in from the caller."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "PLATFORMCTL_"))}
    env.update(HOME=str(REAL_HOME), CI="true", **extra)
    return env


def run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float = 600) -> str:
    """Run a command; fail the test with the end of its output when it fails."""
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"{' '.join(cmd)} exited {proc.returncode}:\n{output[-4000:]}"
    return output


def create(cli_process, tmp_path: Path, golden_path: str) -> Path:
    """`platformctl new service payments` with CI on GitLab, then check its artifacts."""
    target = tmp_path / "payments"
    result = cli_process("new", "service", "payments", "--golden-path", golden_path, "--no-input",
                         "--set", "ci=gitlab", *(a for kv in STACK for a in ("--set", kv)),
                         "--dir", str(target), "--json")
    assert result.exit_code == 0, result.stderr
    version = "1.1.1" if golden_path == "python-service" else "1.1.0"
    assert result.json()["golden_path"] == {"name": golden_path, "version": version}
    assert backstage_errors(load_yaml(target / "catalog-info.yaml")) == []
    for environment in ENVIRONMENTS:
        assert manifest_errors(kustomize_build(target / "deploy/k8s/overlays" / environment)) == []
    assert schema_errors(load_yaml(target / ".gitlab-ci.yml"), "gitlab-ci") == []
    descriptor = load_yaml(target / "platform.yaml")
    assert set(descriptor["environments"]) == {*ENVIRONMENTS, "pr-*"}  # previews by pattern
    assert descriptor["golden_path"]["answers"]["ci"] == "gitlab"
    return target


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def serve_and_stop(cmd: list[str], cwd: Path, env: dict[str, str]) -> list[dict]:
    """Start the service, probe it, send SIGTERM; return its JSON log lines."""
    port = free_port()
    env = {**env, "PORT": str(port), "HOST": "127.0.0.1"}
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _ = get(base + "/readyz")
                if status == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None, proc.communicate()[1][-2000:]
            assert time.monotonic() < deadline, "the service did not become ready in 30 s"
            time.sleep(0.2)
        status, body = get(base + "/healthz")
        assert (status, json.loads(body)) == (200, {"status": "ok"})
        assert get(base + "/")[0] == 200
        assert get(base + "/no-such-path")[0] == 404
        status, metrics = get(base + "/metrics")
        assert status == 200
        assert 'http_requests_total{method="GET",route="/",status="200"} 1' in metrics
        # Every metric name and histogram bound the rules and the dashboard query is exported.
        assert unknown_metrics(cwd, metrics) == []
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    # Uvicorn re-raises SIGTERM once it has shut down gracefully; the others exit 0.
    assert proc.returncode in (0, -signal.SIGTERM), err[-2000:]
    records = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    requests = [r for r in records if r.get("message") == "request"]
    assert [(r["route"], r["status"]) for r in requests] == [("/", 200), ("unmatched", 404)]
    assert all(r["service"] == "payments" for r in records if "service" in r)
    return records


def test_python_service(cli_process, tmp_path) -> None:
    service = create(cli_process, tmp_path, "python-service")
    env = tool_env(PIP_DISABLE_PIP_VERSION_CHECK="1", MYPY_CACHE_DIR=str(tmp_path / "mypy-cache"))
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)], service, env)
    python = str(venv / "bin" / "python")
    # As CI and `make install` do: exactly the locked, hash-checked versions and build backend,
    # then the service, built with that backend: no index needed (nothing fetched unhashed).
    locked = ["--require-hashes", "-r", "requirements-dev.lock", "-r", "build.lock"]
    run([python, "-m", "pip", "install", "-q", *locked], service, env)
    offline = {**env, "PIP_NO_INDEX": "1"}
    run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "-e", "."], service, offline)
    output = run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider"], service, env)
    assert " passed" in output and "failed" not in output
    run([str(venv / "bin" / "ruff"), "check", "--no-cache", "."], service, env)
    run([str(venv / "bin" / "ruff"), "format", "--check", "--no-cache", "."], service, env)
    run([str(venv / "bin" / "mypy")], service, env)
    records = serve_and_stop([python, "-m", "payments"], service, env)
    messages = [r["message"] for r in records]
    assert "started" in messages
    assert messages.index("Shutting down") < messages.index("stopped")  # drained, then stopped


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed")
def test_node_service(cli_process, tmp_path) -> None:
    service = create(cli_process, tmp_path, "node-service")
    env = tool_env(npm_config_update_notifier="false", npm_config_fund="false")
    run(["npm", "ci", "--no-audit"], service, env)  # exactly package-lock.json, as CI does
    run(["npm", "run", "lint"], service, env)
    output = run(["npm", "test"], service, env)
    assert "passed" in output and "failed" not in output
    run(["npm", "run", "build"], service, env)
    records = serve_and_stop(["node", "--require", "./dist/instrumentation.js", "dist/main.js"],
                             service, env)
    assert [r["message"] for r in records][-2:] == ["stopping", "stopped"]


@pytest.mark.skipif(shutil.which("go") is None,
                    reason="go is not installed (.ci/run installs Debian's golang-go)")
def test_go_service(cli_process, tmp_path) -> None:
    service = create(cli_process, tmp_path, "go-service")
    # Standard library only: no module download, no toolchain switch, nothing from the network.
    env = tool_env(GOTOOLCHAIN="local", GOPROXY="off", GOFLAGS="-mod=mod",
                   GOCACHE=str(REAL_HOME / ".cache" / "go-build"))
    assert run(["gofmt", "-l", "."], service, env).strip() == ""
    run(["go", "vet", "./..."], service, env)
    output = run(["go", "test", "./..."], service, env)
    assert "FAIL" not in output
    for package in ("", "/internal/config", "/internal/health", "/internal/logging",
                    "/internal/metrics", "/internal/server", "/internal/tracing"):
        assert f"ok  \tgitlab.com/my-org/payments{package}\t" in output, package
    binary = tmp_path / "payments-bin"
    run(["go", "build", "-o", str(binary), "."], service, env)
    records = serve_and_stop([str(binary)], service, env)
    assert [r["message"] for r in records][-2:] == ["stopping", "stopped"]
