"""Failures after rendering say where the service is; an unusable platform home stops the run first."""

from __future__ import annotations

from pathlib import Path


def test_unwritable_home_is_found_before_rendering(cli, tmp_path):
    blocker = tmp_path / "home-is-a-file"
    blocker.write_text("")
    result = cli("new", "service", "payments", env={"PLATFORMCTL_HOME": str(blocker / "platform")})
    assert result.exit_code == 1
    assert "the platform home cannot hold repositories" in result.stderr
    assert "PLATFORMCTL_HOME" in result.stderr
    assert not Path("payments").exists()  # nothing was rendered
    assert list(Path.cwd().iterdir()) == []


def test_a_host_failure_after_rendering_says_where_and_how_to_finish(cli, tmp_path):
    home = tmp_path / "platform"
    bare = home / "repositories" / "local" / "payments.git"
    bare.parent.mkdir(parents=True)
    bare.write_text("in the way")  # the push step fails once the checkout is in place
    env = {"PLATFORMCTL_HOME": str(home)}
    first = cli("new", "service", "payments", env=env)
    assert first.exit_code == 1
    hint = first.stderr.strip().splitlines()[-1]
    assert hint.startswith("hint: ")
    assert "the service is in payments; re-run the same command to finish it" in hint
    bare.unlink()
    again = cli("new", "service", "payments", env=env)
    assert again.exit_code == 0, again.stderr
    assert "Finished service payments" in again.stdout
