"""A repository that turns out to be another service's leaves no checkout behind."""

from __future__ import annotations

import shutil


def test_recreating_a_deleted_checkout_keeps_nothing_and_another_org_works(cli, tmp_path):
    work = tmp_path / "work"
    assert cli("new", "service", "svc").exit_code == 0
    shutil.rmtree(work / "svc")  # the checkout is gone; its repository is still at the provider

    # Another render (two renders of the same answers within one second are the same commit).
    refused = cli("new", "service", "svc", "--description", "Another service")
    assert refused.exit_code == 1
    assert refused.stderr.splitlines()[-2:] == [
        "error: local/svc already has a main branch with other history",
        "hint: this repository belongs to another service: choose another name or --org",
    ]
    assert sorted(p.name for p in work.iterdir()) == []  # no checkout, no staging folder

    again = cli("new", "service", "svc", "--org", "team-b", "--json")
    assert again.exit_code == 0, again.stderr
    assert again.json()["repository"]["slug"] == "team-b/svc"


def test_a_resumed_checkout_is_kept_when_refused(cli, tmp_path, isolation):
    work = tmp_path / "work"
    assert cli("new", "service", "svc").exit_code == 0
    bare = isolation / ".local/share/platformctl/repositories/local/svc.git"
    shutil.rmtree(bare)
    assert cli("new", "service", "other", "--dir", str(tmp_path / "other")).exit_code == 0
    shutil.move(isolation / ".local/share/platformctl/repositories/local/other.git", bare)
    result = cli("new", "service", "svc")  # resumes the checkout in place, then is refused
    assert result.exit_code == 1
    assert (work / "svc" / "platform.yaml").is_file()  # someone's work: never removed
