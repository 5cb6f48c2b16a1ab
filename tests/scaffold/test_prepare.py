"""``prepare_service``: what ``new service`` is asked, settled without the CLI (no typer, no
terminal) into the request that ``create_service`` takes."""

from __future__ import annotations

from pathlib import Path

import pytest

from platformctl.config import load_settings
from platformctl.errors import UsageError
from platformctl.providers.local.repositories import LocalRepositories
from platformctl.scaffold.prepare import ServiceAsk, given_answers, prepare_service


def settings(tmp_path: Path, **env: str):
    return load_settings(env={"PLATFORMCTL_HOME": str(tmp_path / "platform"), "HOME": str(tmp_path), **env})


def test_settings_fill_the_gaps_and_the_placeholder_organisation_is_told(tmp_path):
    told: list[str] = []
    asked_hosts: list[str] = []
    config = settings(tmp_path, PLATFORMCTL_OWNER="team-payments")

    def hosts(name: str) -> LocalRepositories:
        asked_hosts.append(name)
        return LocalRepositories(config.home)

    request = prepare_service(
        ServiceAsk(name="payments", topics=("python",)),
        given_answers("payments", None, None, ["port=9000"], None),
        config,
        hosts=hosts,
        on_placeholder_org=told.append,
    )
    assert asked_hosts == ["local"]  # the provider setting's default
    assert (request.name, request.provider, request.golden_path.name) == (
        "payments",
        "local",
        "python-service",
    )
    assert request.target == Path("payments").absolute()
    assert (request.answers["owner"], request.answers["port"]) == ("team-payments", 9000)
    assert (request.repository.org, request.repository.name, request.repository.topics) == (
        "local",
        "payments",
        ("python",),
    )
    assert told == [request.answers["organization"]]


def test_a_missing_answer_without_an_asker_and_a_bad_option_are_refused(tmp_path):
    config = settings(tmp_path)

    def hosts(name: str) -> LocalRepositories:
        return LocalRepositories(config.home)

    with pytest.raises(UsageError, match=r"^visibility 'secret' is not one of"):
        prepare_service(
            ServiceAsk(name="payments", visibility="secret"),
            given_answers("payments", None, None, [], None),
            config,
            hosts=hosts,
        )
    with pytest.raises(UsageError, match="has no question 'colour'"):
        prepare_service(
            ServiceAsk(name="payments"),
            given_answers("payments", None, None, ["colour=red"], None),
            config,
            hosts=hosts,
        )
    assert not Path("payments").exists()  # nothing was written


def test_an_asker_is_offered_with_the_subject(tmp_path):
    config = settings(tmp_path)
    subjects: list[str] = []

    def prompter(subject: str) -> None:  # no terminal: no asker, the defaults are used
        subjects.append(subject)

    request = prepare_service(
        ServiceAsk(name="payments"),
        given_answers("payments", "team-x", None, [], None),
        config,
        hosts=lambda name: LocalRepositories(config.home),
        prompter=prompter,
    )
    assert subjects == [f"payments from python-service {request.golden_path.version}"]
    assert request.answers["owner"] == "team-x"
