"""The loader, property by property: only ever a value or one clean error, whatever the text.

Then a bounded fuzz run: real answers, model and descriptor files, mutated at random, go
through the same parsing the CLI does; anything but a PlatformctlError is a defect.
"""

from __future__ import annotations

import contextlib
import json
from importlib.resources import files
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from platformctl.errors import PlatformctlError
from platformctl.yamlfiles import parse_text
from tests.helpers import examples

FAST = settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
FUZZ = settings(max_examples=examples(120), deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces of YAML and JSON syntax, so random texts look like documents and reach deep code.
TOKENS = [
    "a", "b", "0x1F", "yes", "1_000", "1:20", ".inf", "010", "2025-02-30", "2025-02-28", "~", "null",
    ": ", ":", "- ", "-", "? ", "[", "]", "{", "}", ",", "&x ", "*x", "!!timestamp ", "!!int ",
    "!!binary ", "!!python/name:os.system ", "<<: ", '"', "'", "\\u", "\\", "#", "|", ">", "---\n",
    "...\n", "%YAML 1.2\n", "\n", "  ", "\t", "\0", "\ufeff", "\x85", "\u2028", "9" * 30,
]  # fmt: skip
documents = st.one_of(st.text(), st.lists(st.sampled_from(TOKENS), max_size=40).map("".join))


def only_values_or_clean_errors(text: str) -> None:
    try:
        parse_text(text, "f.yaml")
    except PlatformctlError as exc:
        assert exc.message.startswith("f.yaml") and "\n" not in exc.message
        assert exc.hint


@FAST
@given(documents)
def test_any_text_is_a_value_or_one_clean_error(text):
    only_values_or_clean_errors(text)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@FAST
@given(json_values, st.sampled_from([None, "\t", 2]))
def test_json_reads_back_exactly_with_tabs_and_astral_characters(value, indent):
    text = json.dumps({"v": value}, indent=indent)  # ensure_ascii: astral characters as surrogate pairs
    assert parse_text(text, "f.json")[0] == {"v": value}


# PyYAML itself does not round-trip NEL and the Unicode line separators (YAML 1.1 line breaks).
yaml_text = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")))
yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | yaml_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(yaml_text, inner, max_size=4),
    max_leaves=20,
)


@FAST
@given(yaml_values)
def test_what_yaml_safe_dump_writes_reads_back_the_same(value):
    # platformctl writes answers and descriptors with safe_dump: the core schema must agree.
    assert parse_text(yaml.safe_dump({"v": value}, allow_unicode=True), "f.yaml")[0] == {"v": value}


def mutate(text: str, data: st.DataObject) -> str:
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        kind = data.draw(st.sampled_from(["insert", "delete", "duplicate-line"]))
        if kind == "insert":
            text = text[:at] + data.draw(st.sampled_from(TOKENS)) + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + data.draw(st.integers(1, 20)) :]
        else:
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at)
            line = text[start : end if end >= 0 else len(text)]
            text = text[:start] + line + "\n" + text[start:]
    return text


MODEL_TEXT = (files("platformctl.maturity") / "model.yaml").read_text("utf-8")


@FUZZ
@given(st.data())
def test_fuzzed_model_files_fail_cleanly(data):
    from platformctl.maturity.model import parse_model

    with contextlib.suppress(PlatformctlError):
        parse_model(mutate(MODEL_TEXT, data), "model.yaml")


ANSWERS_TEXT = """\
model: platformctl.io/maturity/v1
scope: team-a
answered_at: 2025-05-01
answers:
  a.ci: {answer: one, note: "0x1F", evidence: [ci.yaml]}
  a.iac: {answer: n/a, reason: managed elsewhere}
  b.docs: d2
"""


@FUZZ
@given(data=st.data())
def test_fuzzed_answers_files_fail_cleanly(data, tmp_path_factory):
    from platformctl.maturity.model import parse_model
    from platformctl.maturity.questionnaire.answers import read_answers
    from tests.maturity.helpers import TINY_MODEL

    path = tmp_path_factory.mktemp("fuzz") / "answers.yaml"
    path.write_text(mutate(ANSWERS_TEXT, data), encoding="utf-8", errors="surrogatepass")
    with contextlib.suppress(PlatformctlError):
        read_answers(path, parse_model(TINY_MODEL, "tiny.yaml"))


DESCRIPTOR_TEXT = (Path(__file__).parent / "test_escaping.py").read_text().split('DESCRIPTOR = f"""\\\n')[1]
DESCRIPTOR_TEXT = DESCRIPTOR_TEXT.split('"""')[0].replace("{HOSTILE_YAML}", "info").replace("{{", "{")
DESCRIPTOR_TEXT = DESCRIPTOR_TEXT.replace("}}", "}").replace('{"0" * 40}', "0" * 40)


@FUZZ
@given(data=st.data())
def test_fuzzed_descriptors_fail_cleanly(data, tmp_path_factory):
    from platformctl.scaffold.descriptor import read_descriptor

    folder = tmp_path_factory.mktemp("svc")
    (folder / "platform.yaml").write_text(
        mutate(DESCRIPTOR_TEXT, data), encoding="utf-8", errors="surrogatepass"
    )
    with contextlib.suppress(PlatformctlError):
        read_descriptor(folder)


def test_the_fuzzed_descriptor_starts_valid(tmp_path):
    from platformctl.scaffold.descriptor import read_descriptor

    (tmp_path / "platform.yaml").write_text(DESCRIPTOR_TEXT)
    assert read_descriptor(tmp_path).name == "payments"
