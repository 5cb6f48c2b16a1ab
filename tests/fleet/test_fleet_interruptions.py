"""`fleet update` killed (SIGKILL) at every step of one service, then resumed: it converges.

The GitHub fake holds one request back (``Fault.hold``: the command waits for the answer)
while the test kills the real command line, so each kill lands at a known step of acme/alpha
(the service whose merge conflicts): during the clone, after the merge was committed (and
journaled), with the push landed but its answer lost, after the push was journaled, with the
pull request opened but its answer lost, with the labels set but the outcome not journaled,
and after the journal's line (the next service's first read). The resume then runs to the end,
and the forge must hold exactly one branch and one pull request per service, labelled and
drafted as a clean run leaves them; a further run writes nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import git
import pytest

from tests.fakes.base import Fault, Request
from tests.fakes.fixtures import GITHUB_TOKEN, fast_http_env, github, github_url  # noqa: F401
from tests.fleet.test_github_fleet import ORG, env, fleet  # noqa: F401
from tests.providers.scenario import writes

BRANCH = "platformctl/update-tiny-1.1.0"
UPDATE = ["fleet", "update", "-g", "tiny", *ORG, "--json"]


@dataclass
class At(Fault):
    """A held request, matched on git's ``service`` query as well (fetch or push)."""

    service: str | None = None

    def matches(self, request: Request) -> bool:
        wanted = self.service is None or request.query.get("service") == [self.service]
        return wanted and super().matches(request)


STEPS = {
    "cloning": At("GET", "/acme/alpha.git/info/refs", service="git-upload-pack", skip=1),
    "merged": At("GET", "/acme/alpha.git/info/refs", service="git-receive-pack"),
    "push landed": At("POST", "/acme/alpha.git/git-receive-pack", after=True),
    "pushed": At("POST", "/repos/acme/alpha/pulls"),
    "opened": At("POST", "/repos/acme/alpha/pulls", after=True),
    "labelled": At("PUT", "/repos/acme/alpha/issues/*/labels", after=True),
    "journaled": At("GET", "/repos/acme/beta/pulls"),
}


def run(variables: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "platformctl", *UPDATE],
        env={**os.environ, **variables},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def kill_at(step: At, fake, variables: dict[str, str]) -> None:
    """Start the campaign, SIGKILL it while the fake holds ``step``'s request, then let go."""
    step.hold = threading.Event()
    fake.inject(step)
    proc = subprocess.Popen(
        [sys.executable, "-m", "platformctl", *UPDATE],
        env={**os.environ, **variables},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert step.arrived.wait(timeout=120), "the held request never came"
    finally:
        proc.kill()
        _, err = proc.communicate(timeout=60)
        step.hold.set()
    assert proc.returncode == -9, err


@pytest.mark.slow
@pytest.mark.parametrize("name", list(STEPS))
def test_killed_at_a_step_then_resumed_converges(name, cli, github, env, fleet, tmp_path):  # noqa: F811
    pulls, _ = fleet
    kill_at(STEPS[name], github, env)

    resumed = run(env)
    assert resumed.returncode == 3, resumed.stderr  # alpha's conflict, reported as one
    assert "Traceback" not in resumed.stderr
    [alpha] = pulls.pulls["acme/alpha"]  # one pull request, whatever the kill left
    [beta] = pulls.pulls["acme/beta"]
    assert (alpha["state"], alpha["draft"], alpha["head"]["ref"]) == ("open", True, BRANCH)
    assert {label["name"] for label in alpha["labels"]} == {"platformctl", "platformctl:conflict"}
    assert (beta["state"], beta["draft"]) == ("open", False)
    for repo in ("acme/alpha", "acme/beta"):
        bare = git.Repo(github.git.bare(repo))
        assert bare.git.for_each_ref("--format=%(refname)", "refs/heads/platformctl/").split() == [
            f"refs/heads/{BRANCH}"
        ]
    alpha_bare = git.Repo(github.git.bare("acme/alpha"))
    assert alpha_bare.commit(BRANCH).hexsha in alpha["body"]  # the marker names the head pushed
    assert "<<<<<<<" in alpha_bare.git.show(f"{BRANCH}:app.py")
    home = Path(os.environ["PLATFORMCTL_HOME"])
    assert not list((home / "tmp").glob("fleet-update-*")), "the killed run's clone is left"

    before = writes(github)
    again = run(env)
    assert again.returncode == 3, again.stderr
    assert writes(github) == before  # converged: nothing more to write
    rollout = cli("fleet", "status", *ORG, "--campaign", "tiny-1.1.0", "--json", env=env).json()
    assert {s["repository"]: s["state"] for s in rollout["services"]} == {
        "acme/alpha": "conflicted",
        "acme/beta": "opened",
        "acme/gamma": "merged",
    }
