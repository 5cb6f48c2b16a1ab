"""The one-minute check every change must keep green: the README's main job works."""

import git


def test_new_service_on_the_local_provider_end_to_end(cli, isolation, tmp_path):
    result = cli("new", "service", "payments", "--json")
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert doc["service"] == "payments"
    assert doc["repository"]["provider"] == "local"
    clone = git.Repo.clone_from(doc["repository"]["clone_url"], tmp_path / "clone")
    assert clone.head.commit.hexsha == doc["head_commit"]
