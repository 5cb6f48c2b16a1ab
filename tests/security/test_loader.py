"""Hostile input files end in one clean exit-2 error naming ``file:line``, fast, whatever reads them.

The same files are tried as a maturity answers file (``assess maturity --answers``), as a
service descriptor (``platform.yaml`` for ``env up``) and as a project file
(``platformctl.yaml`` for ``config show``): one loader serves them all.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.maturity.helpers import write_model

# The classic "billion laughs": 454 bytes, about 10**9 strings once the aliases are expanded.
ALIAS_BOMB = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
    "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n"
)

HOSTILE = {
    "alias-bomb": (ALIAS_BOMB, ":2: uses the alias *a; aliases are not accepted"),
    "duplicate-key": (
        "answers: {}\nscope: x\nanswers: {}\n",
        ":3: duplicate key 'answers' (first at line 1)",
    ),
    "nul": ("scope: x\nanswers:\0\n", ":2: contains a NUL byte"),
    "impossible-date": ("scope: x\nanswered_at: 2025-02-30\n", ":2: '2025-02-30' is not a valid timestamp"),
    "deep-flow": ("x: " + "[" * 3000, ":1: nested deeper than 64 levels"),
    "deep-block": ("- " * 3000 + "x\n", ":1: nested deeper than 64 levels"),
    "deep-json": ("[" * 3000 + "]" * 3000, ":1: nested deeper than 64 levels"),
    "json-duplicate": (
        '{\n\t"scope": "x",\n\t"scope": "y"\n}\n',
        ":3: duplicate key 'scope' (first at line 2)",
    ),
    "syntax": ("scope: [x\n", ":2: not valid YAML (column 1)"),
    "python-tag": ("scope: !!python/object/apply:os.system [true]\n", ":1: not valid YAML"),
}


def run_answers(cli, tmp_path: Path, path: Path):
    model = write_model(tmp_path / "tiny.yaml")
    args = ("--model", str(model), "--answers", str(path), "--allow-unknown", "--json")
    return cli("assess", "maturity", *args)


def run_descriptor(cli, tmp_path: Path, path: Path):
    return cli("env", "up", "staging")


def run_settings(cli, tmp_path: Path, path: Path):
    return cli("config", "show")


READERS = {
    "answers": ("answers.yaml", run_answers),
    "platform.yaml": ("platform.yaml", run_descriptor),
    "platformctl.yaml": ("platformctl.yaml", run_settings),
}


def assert_clean_usage_error(result, where: str) -> None:
    assert result.exit_code == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert where in errors[0], errors[0]
    assert any(line.startswith("hint:") for line in lines), result.stderr
    assert "report it as a bug" not in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("reader", list(READERS))
@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_files_are_one_clean_error_naming_file_and_line(cli, tmp_path, reader, case):
    name, run = READERS[reader]
    text, expected = HOSTILE[case]
    path = tmp_path / "work" / name
    path.write_bytes(text.encode("utf-8"))
    result = run(cli, tmp_path, path)
    assert_clean_usage_error(result, f"{path}{expected}")


@pytest.mark.parametrize("reader", list(READERS))
def test_a_50_mb_file_is_refused_by_its_size_before_it_is_read(cli, tmp_path, reader):
    name, run = READERS[reader]
    path = tmp_path / "work" / name
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: the size is what is refused, not the content
    result = run(cli, tmp_path, path)
    assert_clean_usage_error(result, f"{path} is larger than 4 MiB")


def answers_doc(cli, tmp_path: Path, text: str, name: str = "answers.yaml") -> dict:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = run_answers(cli, tmp_path, path)
    assert result.exit_code == 0, result.stderr
    return result.json()


def notes_of(document: dict) -> dict[str, str]:
    """Every question's note in the JSON report, by question id."""
    found: dict[str, str] = {}

    def walk(node):
        if isinstance(node, dict):
            if "note" in node and isinstance(node.get("id") or node.get("question"), str):
                found[node.get("id") or node["question"]] = node["note"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    return found


@pytest.mark.parametrize(
    "text",
    [
        "0x1F",
        "yes",
        "off",
        "1_000",
        "1:20",
        ".inf",
        "0o17",
        "010",
        "~x",
        "1e3x",
        "2025-02-30x",
        "-.inf",
        ".NaN",
        "0b101",
        "+12_3",
    ],
)
def test_free_text_is_never_rewritten_by_yaml_1_1_rules(cli, tmp_path, text):
    doc = answers_doc(cli, tmp_path, f"answers:\n  a.ci: {{answer: one, note: {text}}}\n")
    assert notes_of(doc)["a.ci"] == text


def test_tab_indented_json_answers_load(cli, tmp_path):
    text = '{\n\t"scope": "team-a",\n\t"answers": {\n\t\t"a.ci": {"answer": "one", "note": "0x1F"}\n\t}\n}\n'
    doc = answers_doc(cli, tmp_path, text, "answers.json")
    assert notes_of(doc)["a.ci"] == "0x1F"


def test_non_bmp_json_escapes_reach_the_html_report_intact(cli, tmp_path):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"scope": "team \U0001f680", "answers": {"a.ci": "one"}}))
    assert "\\ud83d\\ude80" in path.read_text()  # json.dumps escapes it as a surrogate pair
    model = write_model(tmp_path / "tiny.yaml")
    out = tmp_path / "report.html"
    args = (
        "--model",
        str(model),
        "--answers",
        str(path),
        "--allow-unknown",
        "--format",
        "html",
        "-o",
        str(out),
    )
    result = cli("assess", "maturity", *args)
    assert result.exit_code == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    assert "\U0001f680" in html or "&#128640;" in html or "&#x1f680;" in html.lower()


def test_anchors_without_aliases_and_ordinary_values_still_load(cli, tmp_path):
    doc = answers_doc(
        cli, tmp_path, "scope: &s team-a\nanswers:\n  a.ci: one\n  b.docs: {answer: d1, note: plain}\n"
    )
    assert notes_of(doc)["b.docs"] == "plain"


def test_yaml_flow_style_that_starts_like_json_still_loads(cli):
    (Path.cwd() / "platformctl.yaml").write_text("{owner: team-a, org: acme}\n")
    result = cli("config", "show", "--json")
    assert result.exit_code == 0, result.stderr
    assert "team-a" in result.stdout


def test_json_constants_that_are_not_json_are_refused(cli, tmp_path):
    path = tmp_path / "work" / "answers.json"
    path.write_text('{"answers": {"a.ci": "one"}, "scope": NaN}')
    assert_clean_usage_error(run_answers(cli, tmp_path, path), f"{path}: NaN is not a JSON value")
