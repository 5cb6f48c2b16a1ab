"""A repository that turns out to be another service's leaves no checkout behind.

The first service is the state a real ``new service payments`` left, made once per test process and
copied back for each test (the ``created`` fixture of ``tests/conftest.py``)."""

from __future__ import annotations

import shutil


def test_recreating_a_deleted_checkout_keeps_nothing_and_another_org_works(cli, created):
    work = created("payments") / "work"
    shutil.rmtree(work / "payments")  # the checkout is gone; its repository is still at the provider

    # Another render (two renders of the same answers within one second are the same commit).
    refused = cli("new", "service", "payments", "--description", "Another service")
    assert refused.exit_code == 1
    assert refused.stderr.splitlines()[-2:] == [
        "error: local/payments already has a main branch with other history",
        "hint: this repository belongs to another service: choose another name or --org",
    ]
    assert sorted(p.name for p in work.iterdir()) == []  # no checkout, no staging folder

    again = cli("new", "service", "payments", "--org", "team-b", "--json")
    assert again.exit_code == 0, again.stderr
    assert again.json()["repository"]["slug"] == "team-b/payments"


def test_a_resumed_checkout_is_kept_when_refused(cli, tmp_path, created):
    root = created("payments")
    work, home = root / "work", root / "home"
    bare = home / ".local/share/platformctl/repositories/local/payments.git"
    shutil.rmtree(bare)
    assert cli("new", "service", "other", "--dir", str(tmp_path / "other")).exit_code == 0
    shutil.move(home / ".local/share/platformctl/repositories/local/other.git", bare)
    result = cli("new", "service", "payments")  # resumes the checkout in place, then is refused
    assert result.exit_code == 1
    assert (work / "payments" / "platform.yaml").is_file()  # someone's work: never removed
