"""Pure logic: the diff, expiry, spec merging and flag parsing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from platformctl.cli.env_flags import parse_providers, parse_secrets, parse_ttl_flag, parse_variables
from platformctl.contracts.environment_fields import EnvironmentClass, SecretSource, parse_ttl
from platformctl.contracts.environments import EnvironmentMeta, EnvironmentSpec, Observed, Resource
from platformctl.environments.plan import diff_resources, field_changes, resolve_expiry
from platformctl.environments.secrets import SecretReader, fingerprint
from platformctl.environments.spec import SpecFlags, find_record, resolve_spec
from platformctl.errors import ConfigError, UsageError
from platformctl.scaffold.descriptor import ServiceDescriptor

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def var(name, value):
    return Resource("variable", name, {"value": value})


def secret(name, fp):
    return Resource("secret", name, {"fingerprint": fp}, secret=True)


def actions(changes):
    return [(c.kind, c.name, c.action) for c in changes]


def test_diff_orders_creates_and_updates_then_deletes_in_reverse():
    desired = [var("A", "1"), var("B", "2"), var("C", "3")]
    observed = [var("X", "0"), var("A", "1"), var("B", "old"), var("Y", "0")]
    assert actions(diff_resources("local", desired, observed)) == [
        ("variable", "A", "unchanged"),
        ("variable", "B", "update"),
        ("variable", "C", "create"),
        ("variable", "Y", "delete"),
        ("variable", "X", "delete"),
    ]


def test_diff_of_equal_sets_is_all_unchanged_and_of_nothing_is_nothing():
    same = [var("A", "1"), Resource("protection", "deployment", {"wait_timer": 5})]
    assert {c.action for c in diff_resources("p", same, list(same))} == {"unchanged"}
    assert diff_resources("p", [], []) == []


def test_secrets_compare_by_fingerprint_and_by_presence_when_unknown():
    assert actions(diff_resources("p", [secret("S", "h1")], [secret("S", "h1")]))[0][2] == "unchanged"
    assert actions(diff_resources("p", [secret("S", "h2")], [secret("S", "h1")]))[0][2] == "update"
    assert actions(diff_resources("p", [secret("S", "")], [secret("S", "h1")]))[0][2] == "unchanged"
    assert actions(diff_resources("p", [secret("S", "h1")], [secret("S", None)]))[0][2] == "update"
    assert actions(diff_resources("p", [secret("S", "")], []))[0][2] == "create"


def test_field_changes_are_leaf_paths():
    before = {"spec": {"hard": {"cpu": "2", "pods": "10"}}, "labels": {"a": "1"}}
    after = {"spec": {"hard": {"cpu": "4"}}, "labels": {"a": "1"}, "data": {"K": "v"}}
    assert field_changes(before, after) == [
        ("data.K", None, "v"),
        ("spec.hard.cpu", "2", "4"),
        ("spec.hard.pods", "10", None),
    ]


def spec(**kwargs):
    base = {"service": "svc", "name": "pr-1", "environment_class": "preview", "providers": ("local",)}
    return EnvironmentSpec(**{**base, **kwargs})


def test_expiry_is_kept_while_the_ttl_is_unchanged_and_restarts_when_it_changes():
    assert resolve_expiry(spec(), {}, NOW).expires_at is None
    new = resolve_expiry(spec(ttl="3d"), {"local": Observed()}, NOW)
    assert new.expires_at == NOW + timedelta(days=3)
    earlier = NOW - timedelta(days=1)
    seen = {"local": Observed(meta=EnvironmentMeta("preview", ttl="3d", expires_at=earlier))}
    assert resolve_expiry(spec(ttl="3d"), seen, NOW).expires_at == earlier
    assert resolve_expiry(spec(ttl="1w"), seen, NOW).expires_at == NOW + timedelta(weeks=1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("30m", timedelta(minutes=30)),
        ("12h", timedelta(hours=12)),
        ("3d", timedelta(days=3)),
        ("2w", timedelta(weeks=2)),
    ],
)
def test_parse_ttl(text, expected):
    assert parse_ttl(text) == expected


@pytest.mark.parametrize("text", ["", "3", "0d", "3 days", "-1d", "1y"])
def test_parse_ttl_rejects(text):
    with pytest.raises(ValueError, match="not a duration"):
        parse_ttl(text)
    with pytest.raises(UsageError, match="--ttl"):
        parse_ttl_flag(text)


def descriptor(environments):
    return ServiceDescriptor.model_validate(
        {
            "name": "svc",
            "golden_path": {
                "name": "g",
                "version": "1.0.0",
                "source": "bundled",
                "pristine_commit": "0" * 40,
                "answers": {},
            },
            "repository": {"provider": "local", "slug": "local/svc", "url": "x"},
            "environments": environments,
        }
    )


def reader(env=None, required=True):
    return SecretReader(env=env or {}, base_dir=Path(), key=b"k", required=required)


def test_merge_order_builtin_then_class_then_descriptor_then_flags():
    desc = descriptor(
        {
            "staging": {
                "class": "staging",
                "variables": {"B": "desc", "C": "desc"},
                "kubernetes": {"quota": {"memory": "1Gi"}},
                "secrets": {"S": None},
            }
        }
    )
    classes = {
        "staging": (
            EnvironmentClass.model_validate(
                {
                    "providers": ["local", "kubernetes"],
                    "variables": {"A": "class", "B": "class"},
                    "kubernetes": {"quota": {"cpu": "1", "memory": "2Gi"}, "network_policy": True},
                }
            ),
            "platformctl.yaml",
        )
    }
    result = resolve_spec(
        desc, classes, "staging", SpecFlags(variables={"C": "flag"}, ttl="1d"), reader({"S": "value"})
    )
    assert result.variables == {"A": "class", "B": "desc", "C": "flag"}
    assert result.kubernetes.quota.cpu == "1" and result.kubernetes.quota.memory == "1Gi"
    assert result.kubernetes.network_policy is True
    assert result.providers == ("local", "kubernetes") and result.ttl == "1d"
    assert result.secrets["S"].fingerprint == fingerprint(b"k", "svc", "staging", "S", "value")
    assert result.namespace == "svc-staging"


def test_patterns_and_builtin_classes():
    desc = descriptor({"pr-*": {"class": "preview"}, "production": {"class": "production"}})
    assert find_record(desc, "pr-12").environment_class == "preview"
    assert find_record(desc, "prod") is None
    preview = resolve_spec(desc, {}, "pr-12", SpecFlags(), reader())
    assert (preview.ttl, preview.production) == ("3d", False)
    assert resolve_spec(desc, {}, "production", SpecFlags(), reader()).production is True


def test_unknown_class_names_file_field_and_allowed():
    desc = descriptor({"qa": {"class": "qa"}})
    with pytest.raises(
        ConfigError,
        match=r"platform.yaml: field 'environments.qa.class': unknown environment "
        r"class 'qa' \(allowed: custom, development, preview",
    ):
        resolve_spec(desc, {"custom": (EnvironmentClass(), "f")}, "qa", SpecFlags(), reader())


def test_invalid_environment_names():
    for name in ("Staging", "a_b", "x" * 64, "-a"):
        with pytest.raises(UsageError, match="invalid environment name"):
            resolve_spec(descriptor({}), {}, name, SpecFlags(environment_class="staging"), reader())


def test_secret_reader_sources(tmp_path):
    (tmp_path / "f").write_text("from-file\n")
    r = SecretReader(env={"E": "from-env"}, base_dir=tmp_path, key=b"k")
    assert r.read("s", "e", "A", SecretSource(env="E")).value == "from-env"
    assert r.read("s", "e", "B", SecretSource(file="f")).value == "from-file"
    assert r.read("s", "e", "E", None).value == "from-env"  # no source: the variable of the same name
    unknown = SecretReader(env={}, base_dir=tmp_path, key=b"k", required=False).read("s", "e", "X", None)
    assert unknown.fingerprint == "" and unknown.value is None


def test_flag_parsers():
    assert parse_variables(["A=1", "B=x=y", "C="]) == {"A": "1", "B": "x=y", "C": ""}
    with pytest.raises(UsageError, match="--var"):
        parse_variables(["1A=x"])
    assert parse_secrets(["S=env:VAR", "T=file:/p", "U=stdin"]) == {
        "S": SecretSource(env="VAR"),
        "T": SecretSource(file="/p"),
        "U": SecretSource(stdin=True),
    }
    for bad in ("S=plaintext", "S=env:", "S=stdin:x", "S"):
        with pytest.raises(UsageError) as exc:
            parse_secrets([bad])
        assert "plaintext" not in exc.value.message
    assert parse_providers(["local", "kubernetes", "local"]) == ("local", "kubernetes")
    with pytest.raises(UsageError, match="unknown provider"):
        parse_providers(["aws"])
