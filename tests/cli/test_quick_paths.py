"""What makes converged re-runs quick, and why each shortcut gives the same answer as the long way.

- the plain console prints exactly what rich prints on a stream it would not style;
- settings taken as plain text without pydantic are plain optional text in the schema;
- the remembered data of a YAML file is given back only for the same text;
- a converged `new service` and `env up` import neither rich, PyYAML nor the config schema
  (nor copier, jinja2, GitPython or httpx).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from platformctl.cli.io import _safe_console_class
from platformctl.cli.plain import PlainConsole, escape
from platformctl.textsafe import escape_controls, neutralize_workflow_commands
from tests.helpers import loaded_modules

TRICKY = [
    "",
    "plain text",
    "[bold]x[/] y",
    "[bold green]Created[/] service [bold]svc[/] from python-service 1.1.0",
    "a[b",
    "a]b [123] [not a tag",
    "C:\\[x",
    "\\[bold]literal",
    "\\\\[bold]x[/]",
    "\\\\\\[bold]x",
    "ends in a backslash\\",
    "[link=https://example.com]link[/]",
    "[#ffffff]hex[/]",
    "[/]",
    "[bold]explicit close[/bold]",
    "[@click]handler[/]",
    "emoji :smile: stays",
    "trailing spaces   ",
    "tab\there, newline\nthere, escape \x1b[31m, bidi \u202e",
    "wide 漢字 " * 60,
    "x" * 900,
    "::error::not a command",
]
SAMPLES = [*TRICKY, *(escape(t) for t in TRICKY), *(f"[dim]•[/] {escape(t)}" for t in TRICKY)]


def _rich(stream: io.StringIO, actions: bool) -> object:
    return _safe_console_class()(
        actions=actions,
        spell=lambda text: text,
        file=stream,
        no_color=True,
        highlight=False,
        emoji=False,
        soft_wrap=True,
        markup=True,
        width=400,
    )


def _printed(console: object, *objects: str) -> str:
    try:
        console.print(*objects)  # type: ignore[attr-defined]
    except Exception as exc:  # rich refuses some markup: the plain console must refuse alike
        return f"raised {type(exc).__name__}"
    return console.file.getvalue()  # type: ignore[attr-defined]


@pytest.mark.parametrize("actions", [False, True])
@pytest.mark.parametrize("text", SAMPLES)
def test_the_plain_console_prints_what_rich_prints(text, actions):
    def displayed(value: str) -> str:
        value = escape_controls(value)
        return neutralize_workflow_commands(value) if actions else value

    plain_stream = io.StringIO()
    plain = PlainConsole(plain_stream, displayed, lambda: _rich(plain_stream, actions))
    assert _printed(plain, text) == _printed(_rich(io.StringIO(), actions), text)


@pytest.mark.parametrize("objects", [(), ("a", "b"), ("[bold]a[/]", escape("[b]"))])
def test_the_plain_console_joins_like_rich(objects):
    plain = PlainConsole(io.StringIO(), escape_controls, lambda: None)
    assert _printed(plain, *objects) == _printed(_rich(io.StringIO(), False), *objects)


def test_escape_is_riches_escape():
    from rich.markup import escape as rich_escape

    for text in TRICKY:
        assert escape(text) == rich_escape(text)


def test_plain_text_settings_are_plain_optional_text_in_the_schema():
    from platformctl.config import PLAIN_TEXT_SETTINGS, load_settings
    from platformctl.config_schema import PlatformConfig

    for key in PLAIN_TEXT_SETTINGS:
        field = PlatformConfig.model_fields[key]
        assert field.annotation == str | None and not field.metadata, key
        value = "  odd ~/value: [x] {y}  "
        assert getattr(PlatformConfig.model_validate({key: value}), key) == value
        env = {f"PLATFORMCTL_{key.upper()}": value}
        assert load_settings(env=env).values[key].value == value


def test_an_invalid_setting_from_the_environment_is_still_refused(cli):
    result = cli("new", "service", "payments", "--no-input", "--dry-run", env={"PLATFORMCTL_PROVIDER": "svn"})
    assert result.exit_code == 2
    assert "error: environment variable PLATFORMCTL_PROVIDER: field 'provider'" in result.stderr


def test_remembered_yaml_is_given_back_only_for_the_same_text(tmp_path):
    from platformctl import yamlcache
    from platformctl.errors import ConfigError
    from platformctl.yamlfiles import load_yaml_file

    path, cache = tmp_path / "doc.yaml", tmp_path / "cache"

    def load() -> object:
        return load_yaml_file(path, what="document", error=ConfigError, remember=True)

    yamlcache.use_folder(cache)
    try:
        path.write_text("a: 1\nb: [x, true, null, 1.5]\n")
        assert load() == {"a": 1, "b": ["x", True, None, 1.5]}
        (entry,) = cache.iterdir()
        stored = json.loads(entry.read_text())
        stored["data"] = {"a": "planted"}  # same digest, other data: only the text is checked
        entry.write_text(json.dumps(stored))
        assert load() == {"a": "planted"}  # the cache is the user's own, like the local store
        path.write_text("a: 2\n")  # another text: parsed again, the entry replaced
        assert load() == {"a": 2}
        assert json.loads(entry.read_text())["data"] == {"a": 2}
        entry.write_text("not json")
        assert load() == {"a": 2}  # a broken entry is a miss
        path.write_text("when: 2024-05-01\n2: two\n")  # a date and a number key: never cached
        entry.unlink()
        assert load() == {"when": __import__("datetime").date(2024, 5, 1), 2: "two"}
        assert list(cache.iterdir()) == []
        path.write_text("a: *x\n")  # every check still runs on a text not seen before
        with pytest.raises(ConfigError, match="alias"):
            load()
    finally:
        yamlcache.use_folder(None)


def test_only_files_that_hold_no_secret_are_remembered(cli, isolation):
    from platformctl import yamlcache
    from platformctl.errors import ConfigError
    from platformctl.yamlfiles import load_yaml_file

    cache = isolation / "cache"
    yamlcache.use_folder(cache)
    try:
        Path("kubeconfig").write_text("users:\n- name: a\n  user: {token: abcdefgh}\n")
        assert load_yaml_file(Path("kubeconfig"), what="kubeconfig", error=ConfigError)
        assert not cache.exists()  # a caller must ask: answers files and kubeconfigs never do
    finally:
        yamlcache.use_folder(None)
    Path("answers.yaml").write_text("description: from the answers file\n")
    assert cli("new", "service", "payments", "--no-input", "--answers-file", "answers.yaml").exit_code == 0
    remembered = isolation / ".local" / "share" / "platformctl" / "cache" / "yaml"
    texts = [p.read_text() for p in remembered.iterdir()]
    assert len(texts) == 3 and not any("answers.yaml" in t for t in texts)


def test_a_dry_run_adds_nothing_to_the_cache_and_a_real_run_does(cli, isolation):
    cache = isolation / ".local" / "share" / "platformctl" / "cache" / "yaml"
    assert cli("new", "service", "payments", "--no-input", "--dry-run").exit_code == 0
    assert not cache.exists()
    assert cli("new", "service", "payments", "--no-input").exit_code == 0
    assert len(list(cache.iterdir())) == 3  # golden-path.yaml, copier.yml, platform.yaml
    assert {oct(p.stat().st_mode & 0o777) for p in cache.iterdir()} == {"0o600"}


def test_an_edited_platform_yaml_is_read_again(cli, created):
    created("payments")  # the service a real run made, built once per process (conftest.py)
    assert cli("env", "up", "staging", "--service-dir", "payments").exit_code == 0
    assert "no changes" in cli("env", "up", "staging", "--service-dir", "payments").stdout
    descriptor = Path("payments/platform.yaml")
    text = descriptor.read_text()
    assert "  staging:\n    class: staging\n" in text
    descriptor.write_text(
        text.replace("    class: staging\n", "    class: staging\n    variables:\n      A: b\n", 1)
    )
    result = cli("env", "up", "staging", "--service-dir", "payments", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "Plan: 1 to create" in result.stdout and "variable A" in result.stdout


# The heavy libraries a converged re-run must not need; tests/scaffold/test_git_processes.py
# asks the same of copier, jinja2, GitPython and httpx (slow there: these runs check them too).
LIGHT = ("rich", "yaml", "platformctl.config_schema", "logging")  # logging: platformctl/logsetup.py
RENDER = ("copier", "jinja2", "git", "httpx")


def loaded(args: list[str]) -> list[str]:
    """Which of :data:`LIGHT` and :data:`RENDER` a run of ``platformctl ARGS`` loads (a pipe)."""
    return loaded_modules(args, (*LIGHT, *RENDER))


def test_converged_reruns_into_a_pipe_load_neither_rich_nor_yaml_nor_the_config_schema():
    first = loaded(["new", "service", "payments", "--no-input"])
    assert "yaml" in first  # control: it parses
    assert [m for m in first if m in RENDER] == ["copier", "jinja2"]  # renders, without GitPython
    assert loaded(["env", "up", "staging", "--service-dir", "payments"]) == []
    assert loaded(["new", "service", "payments", "--no-input"]) == []
    assert loaded(["env", "up", "staging", "--service-dir", "payments"]) == []
