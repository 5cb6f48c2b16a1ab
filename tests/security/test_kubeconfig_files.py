"""Client certificates and keys taken from a kubeconfig are written (the ssl module reads them only
from files) as 0600 files in a 0700 folder under <home>/tmp, never in the shared system temp dir,
and removed afterwards, also when loading them fails."""

from __future__ import annotations

import base64
import json
import os
import socket
import ssl
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.environments.conftest import write_service
from tests.fakes.fixtures import FAST_HTTP


def _key_pair(folder: Path) -> tuple[bytes, bytes]:
    cert, key = folder / "client.crt", folder / "client.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=dev",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert.read_bytes(), key.read_bytes()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _kubeconfig(path: Path, cert: bytes, key: bytes) -> Path:
    user = {
        "client-certificate-data": base64.b64encode(cert).decode(),
        "client-key-data": base64.b64encode(key).decode(),
    }
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": "fake",
        # https makes platformctl build a TLS context with the client certificate; nothing listens
        "clusters": [{"name": "fake", "cluster": {"server": f"https://127.0.0.1:{_closed_port()}"}}],
        "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "dev"}}],
        "users": [{"name": "dev", "user": user}],
    }
    path.write_text(json.dumps(doc))
    return path


@pytest.fixture
def system_temp(tmp_path, monkeypatch) -> Path:
    """A private system temp dir for the run, so that what lands there can be seen."""
    folder = tmp_path / "system-tmp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def seen(monkeypatch):
    """What the real ``load_cert_chain`` was given: each file's path and mode, its folder's mode."""
    calls: list[dict[str, object]] = []
    real = ssl.SSLContext.load_cert_chain

    def observed(self, certfile, keyfile=None, password=None):
        files = [Path(certfile), Path(keyfile)]
        calls.append(
            {
                "files": files,
                "modes": [stat.S_IMODE(os.lstat(f).st_mode) for f in files],
                "folder_mode": stat.S_IMODE(os.lstat(files[0].parent).st_mode),
            }
        )
        return real(self, certfile, keyfile, password)

    monkeypatch.setattr(ssl.SSLContext, "load_cert_chain", observed)
    return calls


def _env_up(cli, tmp_path, monkeypatch, cert, key):
    monkeypatch.setenv("KUBECONFIG", str(_kubeconfig(tmp_path / "kubeconfig", cert, key)))
    home = tmp_path / "platform-home"
    monkeypatch.setenv("PLATFORMCTL_HOME", str(home))
    monkeypatch.setenv("TEST_DB_PASSWORD", "correct horse battery staple")
    write_service(Path.cwd(), providers="kubernetes")
    return cli("env", "up", "staging", env=FAST_HTTP), home  # the retries' waits shortened


def test_client_certificates_go_under_home_tmp_private_and_are_removed(
    cli, tmp_path, monkeypatch, seen, system_temp
):
    cert, key = _key_pair(tmp_path)
    result, home = _env_up(cli, tmp_path, monkeypatch, cert, key)
    assert result.exit_code == 1, result.stderr  # nothing listens: after the certificate was loaded
    assert "cannot reach" in result.stderr and "Traceback" not in result.stderr
    assert len(seen) == 1
    files = seen[0]["files"]
    assert all(f.parent.parent == home / "tmp" for f in files)  # type: ignore[union-attr]
    assert seen[0]["modes"] == [0o600, 0o600]
    assert seen[0]["folder_mode"] == 0o700
    assert stat.S_IMODE(os.stat(home / "tmp").st_mode) == 0o700
    assert not any(f.exists() for f in files)  # type: ignore[union-attr]
    assert not files[0].parent.exists()  # type: ignore[union-attr]
    assert list((home / "tmp").iterdir()) == []
    assert list(system_temp.iterdir()) == []  # nothing written to the system temp dir


def test_an_unusable_key_is_one_clean_error_and_leaves_nothing(cli, tmp_path, monkeypatch, seen, system_temp):
    cert, _ = _key_pair(tmp_path)
    bad_key = b"-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n"
    result, home = _env_up(cli, tmp_path, monkeypatch, cert, bad_key)
    assert result.exit_code == 4, result.stderr
    lines = result.stderr.splitlines()
    assert [line for line in lines if line.startswith("error:")] == [
        next(line for line in lines if line.startswith("error:"))
    ]
    assert "error: kubeconfig context 'fake': the client certificate or key cannot be loaded" in result.stderr
    assert any(line.startswith("hint:") for line in lines)
    assert "report it as a bug" not in result.stderr and "Traceback" not in result.stderr
    assert "bm90IGEga2V5" not in result.stderr  # the key's content is not shown
    assert len(seen) == 1 and not seen[0]["files"][0].parent.exists()  # type: ignore[index]
    assert list((home / "tmp").iterdir()) == []
    assert list(system_temp.iterdir()) == []
