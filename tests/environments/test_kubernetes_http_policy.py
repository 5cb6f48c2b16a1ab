"""The Kubernetes client follows the ``http.*`` settings (attempts, backoff, deadline) like the
other providers, through the real CLI against the API fake on loopback."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.environments.conftest import write_kubeconfig, write_service
from tests.fakes.kubernetes import Fault, KubernetesFake
from tests.fakes.loopback import serve


def test_http_max_attempts_bounds_the_retries_of_kubernetes_requests(cli, kube):
    write_service(Path.cwd(), providers="kubernetes")
    kube.faults.append(Fault("GET", "namespaces", code=503, times=10))
    env = {"PLATFORMCTL_HTTP_MAX_ATTEMPTS": "2", "PLATFORMCTL_HTTP_BACKOFF": "0.01"}
    result = cli("env", "up", "staging", env=env)
    assert result.exit_code == 1, result.stderr
    assert kube.faults[0].times == 8  # two attempts, not the default five
    assert result.stderr.count("error:") == 1 and "Traceback" not in result.stderr
    assert kube.writes == 0


def test_http_deadline_bounds_one_kubernetes_exchange(cli, tmp_path, platform_home):
    write_service(Path.cwd(), providers="kubernetes")
    released, first = threading.Event(), threading.Event()
    fake = KubernetesFake()

    def stalled(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if not first.is_set():  # the first request is answered once the CLI gave up (or in 10 s)
            first.set()
            released.wait(10)
        return fake(environ, start_response)

    with serve(stalled) as url:
        env = {
            "KUBECONFIG": str(write_kubeconfig(tmp_path / "kubeconfig", url)),
            "PLATFORMCTL_HTTP_DEADLINE": "0.3",
        }
        result = cli("env", "up", "staging", env=env)
        released.set()
    assert result.exit_code == 1, result.stderr
    assert "within http.deadline (0.3 s)" in result.stderr
    assert "hint:" in result.stderr and "Traceback" not in result.stderr
    assert fake.writes == 0
