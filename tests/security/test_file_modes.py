"""Files platformctl writes: atomic, secret ones 0600 from the first byte, others as the umask allows."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from platformctl.files import atomic_write_text


@pytest.fixture
def umask():
    def set_to(value: int) -> None:
        os.umask(value)

    previous = os.umask(0o022)
    yield set_to
    os.umask(previous)


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_ordinary_files_follow_the_umask(tmp_path, umask):
    umask(0o022)
    atomic_write_text(tmp_path / "open.yaml", "a: 1\n")
    umask(0o077)
    atomic_write_text(tmp_path / "private.yaml", "a: 1\n")
    assert (mode_of(tmp_path / "open.yaml"), mode_of(tmp_path / "private.yaml")) == (0o644, 0o600)


def test_a_secret_file_is_0600_whatever_the_umask(tmp_path, umask):
    umask(0o000)
    atomic_write_text(tmp_path / "state" / "key", "s3cr3t\n", mode=0o600)
    assert mode_of(tmp_path / "state" / "key") == 0o600
    assert [p.name for p in (tmp_path / "state").iterdir()] == ["key"]  # no temporary file left behind


def test_the_secrets_key_of_the_platform_home_is_0600(tmp_path):
    # `env up` creates the HMAC key of secret fingerprints on first use.
    from platformctl.environments.secrets import KEY_FILE, load_key

    home = tmp_path / "platform-home"
    load_key(home, {})
    assert mode_of(home / KEY_FILE) == 0o600


def test_the_github_secret_record_is_created_0600_never_chmodded(tmp_path, umask, monkeypatch):
    from platformctl.providers.github.secret_state import DB_FILE, Recorded, SecretFingerprints

    umask(0o000)
    monkeypatch.setattr(os, "chmod", lambda *a, **k: pytest.fail("chmod after creation"))
    SecretFingerprints(tmp_path).put("scope", "staging", {"TOKEN": Recorded("hmac-sha256:0", "now")})
    assert mode_of(tmp_path / DB_FILE) == 0o600
    assert SecretFingerprints(tmp_path).get("scope", "staging") == {"TOKEN": Recorded("hmac-sha256:0", "now")}
