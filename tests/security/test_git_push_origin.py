"""The token goes with a git push only to the configured host, whatever clone URL the API reports."""

from __future__ import annotations

import pytest

from platformctl.contracts.repositories import RepositorySpec
from platformctl.errors import ProviderError
from tests.fakes.base import Request, Response
from tests.fakes.github_routes import repository_json
from tests.providers.hosts import checkout, github_host, gitlab_host

SPEC = RepositorySpec("acme", "payments")


@pytest.mark.parametrize("case", ["another host", "another port", "plain http"])
def test_github_clone_url_on_another_origin_gets_no_token(github, github_url, tmp_path, case):
    work = checkout(tmp_path / "svc")
    host = github_host(github_url)
    host.ensure_repository(SPEC)
    served = github_url.removeprefix("http://")
    other_port = int(served.rsplit(":", 1)[1]) % 65535 + 1
    clone_url = {
        "another host": "https://git.attacker.test/acme/payments.git",
        "another port": f"http://127.0.0.1:{other_port}/acme/payments.git",
        "plain http": f"http://{served}/acme/payments.git",
    }[case]
    if case == "plain http":
        host.web_url = f"https://{served}"  # configured for https; the API answers with http

    def tampered(request: Request) -> Response:
        repo = github.repo(request.params["owner"], request.params["repo"])
        return Response(200, {**repository_json(repo, github_url), "clone_url": clone_url})

    github.add_route("GET", "/repos/{owner}/{repo}", tampered, "metadata=read")
    host._repos.clear()  # read the repository again, as a later run would
    with pytest.raises(ProviderError, match="the token is not sent there"):
        host.push(SPEC, work, "main")
    assert github.requests("git") == []


def test_gitlab_clone_url_on_another_origin_gets_no_token(gitlab, gitlab_url, tmp_path):
    from tests.fakes.gitlab import project_json

    work = checkout(tmp_path / "svc")
    host = gitlab_host(gitlab_url)
    spec = RepositorySpec("acme", "payments")
    host.ensure_repository(spec)

    def tampered(request: Request) -> Response:
        project = gitlab.project_or_404(request)
        return Response(
            200,
            {
                **project_json(project, gitlab_url),
                "http_url_to_repo": "https://gitlab.attacker.test/acme/payments.git",
            },
        )

    gitlab.add_route("GET", "/api/v4/projects/{id}", tampered)
    host._projects.clear()  # read the project again, as a later run would
    with pytest.raises(ProviderError, match="the token is not sent there"):
        host.push(spec, work, "main")
    assert gitlab.requests("git") == []
