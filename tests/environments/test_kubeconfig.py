"""The kubeconfig loader: merging, contexts, tokens, certificates, CA data and exec plugins."""

from __future__ import annotations

import base64
import json
import os
import stat
import sys
from pathlib import Path

import pytest

from platformctl.errors import AuthError, ConfigError
from platformctl.providers.kubernetes.kubeconfig import load_kubeconfig


def kubeconfig(path: Path, *, current: str | None = "dev", contexts=(), clusters=(), users=()) -> Path:
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "contexts": list(contexts),
        "clusters": list(clusters),
        "users": list(users),
    }
    if current:
        doc["current-context"] = current
    path.write_text(json.dumps(doc))
    return path


def ctx(name, cluster, user, namespace=None):
    inner = {"cluster": cluster, "user": user, **({"namespace": namespace} if namespace else {})}
    return {"name": name, "context": inner}


def test_current_context_with_a_bearer_token_and_ca_data(tmp_path):
    ca = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    path = kubeconfig(
        tmp_path / "config",
        contexts=[ctx("dev", "c1", "u1", "team-a")],
        clusters=[
            {
                "name": "c1",
                "cluster": {
                    "server": "https://k8s.example:6443/",
                    "certificate-authority-data": base64.b64encode(ca).decode(),
                    "tls-server-name": "api.internal",
                },
            }
        ],
        users=[{"name": "u1", "user": {"token": "abc123"}}],
    )
    cluster = load_kubeconfig({"KUBECONFIG": str(path)})
    assert (cluster.context, cluster.server, cluster.namespace) == (
        "dev",
        "https://k8s.example:6443",
        "team-a",
    )
    assert cluster.ca_pem == ca and cluster.tls_server_name == "api.internal"
    assert cluster.credentials().token == "abc123"
    assert "abc123" not in repr(cluster) + repr(cluster.credentials())


def test_kubeconfig_list_merges_first_wins_and_paths_are_relative_to_their_file(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "token").write_text("from-file\n")
    first = kubeconfig(
        tmp_path / "a" / "config",
        current="prod",
        clusters=[{"name": "shared", "cluster": {"server": "https://first"}}],
    )
    second = kubeconfig(
        tmp_path / "b" / "config",
        current="dev",
        contexts=[ctx("prod", "shared", "robot"), ctx("dev", "shared", "robot")],
        clusters=[{"name": "shared", "cluster": {"server": "https://second"}}],
        users=[{"name": "robot", "user": {"tokenFile": "token"}}],
    )
    env = {"KUBECONFIG": os.pathsep.join([str(first), str(tmp_path / "missing"), str(second)])}
    cluster = load_kubeconfig(env)
    assert cluster.context == "prod"  # the first file that sets current-context wins
    assert cluster.server == "https://first"  # so does the first file that names a cluster
    assert cluster.credentials().token == "from-file"
    assert load_kubeconfig(env, context="dev").context == "dev"


def test_default_location_and_missing_kubeconfig(tmp_path):
    home = tmp_path / "home"
    with pytest.raises(ConfigError, match="no kubeconfig found"):
        load_kubeconfig({"HOME": str(home)})
    (home / ".kube").mkdir(parents=True)
    kubeconfig(
        home / ".kube" / "config",
        contexts=[ctx("dev", "c", "u")],
        clusters=[{"name": "c", "cluster": {"server": "http://127.0.0.1:1"}}],
        users=[{"name": "u", "user": {}}],
    )
    assert load_kubeconfig({"HOME": str(home)}).server == "http://127.0.0.1:1"


def test_unknown_context_names_the_known_ones(tmp_path):
    path = kubeconfig(tmp_path / "config", current="gone", contexts=[ctx("dev", "c", "u")])
    with pytest.raises(ConfigError, match=r"no context named 'gone' \(known: dev\)"):
        load_kubeconfig({"KUBECONFIG": str(path)})
    no_current = kubeconfig(tmp_path / "c2", current=None, contexts=[ctx("dev", "c", "u")])
    with pytest.raises(ConfigError, match="has no current-context"):
        load_kubeconfig({"KUBECONFIG": str(no_current)})


def test_client_certificate_files_and_data(tmp_path):
    (tmp_path / "client.crt").write_bytes(b"CERT")
    path = kubeconfig(
        tmp_path / "config",
        contexts=[ctx("dev", "c", "u")],
        clusters=[{"name": "c", "cluster": {"server": "https://x", "insecure-skip-tls-verify": True}}],
        users=[
            {
                "name": "u",
                "user": {
                    "client-certificate": "client.crt",
                    "client-key-data": base64.b64encode(b"KEY").decode(),
                },
            }
        ],
    )
    cluster = load_kubeconfig({"KUBECONFIG": str(path)})
    creds = cluster.credentials()
    assert (creds.cert_pem, creds.key_pem, creds.token) == (b"CERT", b"KEY", None)
    assert cluster.insecure


def write_plugin(folder: Path, body: str) -> Path:
    script = folder / "credential-plugin"
    script.write_text(f"#!{sys.executable}\n" + body)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


PLUGIN = """
import json, os, sys
info = json.loads(os.environ["KUBERNETES_EXEC_INFO"])
count_file = os.environ["COUNT_FILE"]
with open(count_file, "a") as f:
    f.write("x")
print(json.dumps({"apiVersion": info["apiVersion"], "kind": "ExecCredential",
                  "status": {"token": "exec-" + sys.argv[1], "expirationTimestamp": "2999-01-01T00:00:00Z"}}))
"""


def test_exec_plugin_v1_runs_once_and_is_cached(tmp_path):
    script = write_plugin(tmp_path, PLUGIN)
    count = tmp_path / "count"
    path = kubeconfig(
        tmp_path / "config",
        contexts=[ctx("dev", "c", "u")],
        clusters=[{"name": "c", "cluster": {"server": "https://x"}}],
        users=[
            {
                "name": "u",
                "user": {
                    "exec": {
                        "apiVersion": "client.authentication.k8s.io/v1",
                        "command": "./credential-plugin",
                        "args": ["alpha"],
                        "env": [{"name": "COUNT_FILE", "value": str(count)}],
                        "interactiveMode": "Never",
                    }
                },
            }
        ],
    )
    cluster = load_kubeconfig({"KUBECONFIG": str(path)})
    assert cluster.credentials().token == "exec-alpha"
    assert cluster.credentials().token == "exec-alpha"
    assert count.read_text() == "x"  # cached until it expires
    cluster.credentials(refresh=True)
    assert count.read_text() == "xx"
    assert str(script).endswith("credential-plugin")


def test_exec_plugin_failures_are_auth_errors(tmp_path):
    failing = write_plugin(
        tmp_path, "import sys\nprint('token expired, log in again', file=sys.stderr)\nsys.exit(3)\n"
    )
    base = {
        "contexts": [ctx("dev", "c", "u")],
        "clusters": [{"name": "c", "cluster": {"server": "https://x"}}],
    }

    def load(exec_spec):
        path = kubeconfig(tmp_path / "config", users=[{"name": "u", "user": {"exec": exec_spec}}], **base)
        return load_kubeconfig({"KUBECONFIG": str(path)})

    v1 = "client.authentication.k8s.io/v1"
    with pytest.raises(AuthError, match="failed with exit 3: token expired, log in again"):
        load({"apiVersion": v1, "command": str(failing)}).credentials()
    with pytest.raises(AuthError, match="cannot be run") as missing:
        load(
            {"apiVersion": v1, "command": "no-such-plugin-xyz", "installHint": "install it from the portal"}
        ).credentials()
    assert missing.value.hint == "install it from the portal"
    with pytest.raises(AuthError, match="v1alpha1' is not supported"):
        load({"apiVersion": "client.authentication.k8s.io/v1alpha1", "command": str(failing)}).credentials()
    garbage = write_plugin(tmp_path, "print('not json')\n")
    with pytest.raises(AuthError, match="did not print an ExecCredential"):
        load({"apiVersion": v1, "command": str(garbage)}).credentials()


def test_exec_plugin_client_certificate(tmp_path):
    script = write_plugin(
        tmp_path,
        (
            "import json\nprint(json.dumps({'apiVersion': 'client.authentication.k8s.io/v1beta1', "
            "'kind': 'ExecCredential', 'status': {'clientCertificateData': 'C', 'clientKeyData': 'K'}}))\n"
        ),
    )
    path = kubeconfig(
        tmp_path / "config",
        contexts=[ctx("dev", "c", "u")],
        clusters=[{"name": "c", "cluster": {"server": "https://x"}}],
        users=[
            {
                "name": "u",
                "user": {
                    "exec": {"apiVersion": "client.authentication.k8s.io/v1beta1", "command": str(script)}
                },
            }
        ],
    )
    creds = load_kubeconfig({"KUBECONFIG": str(path)}).credentials()
    assert (creds.cert_pem, creds.key_pem, creds.token) == (b"C", b"K", None)


def test_the_cli_reports_a_broken_kubeconfig_as_a_usage_error(cli, tmp_path, monkeypatch, platform_home):
    from tests.environments.conftest import write_service

    write_service(Path.cwd(), providers="kubernetes")
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "absent"))
    result = cli("env", "up", "staging")
    assert result.exit_code == 2
    assert "error: no kubeconfig found" in result.stderr and "hint: set KUBECONFIG" in result.stderr
