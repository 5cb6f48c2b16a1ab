"""The GitHub Actions adapter writes the formats the runner parses."""

import re

import pytest

from platformctl.cli import gha


def test_outputs_use_heredoc_with_random_delimiter(tmp_path):
    out = tmp_path / "out"
    gha.write_outputs({"repo_url": "https://x/y", "multi": "a\nb"}, {"GITHUB_OUTPUT": str(out)})
    text = out.read_text()
    blocks = re.findall(r"^(\w+)<<(ghadelimiter_[0-9a-f-]+)\n(.*?)\n\2$", text, re.M | re.S)
    assert [(name, value) for name, _, value in blocks] == [("repo_url", "https://x/y"), ("multi", "a\nb")]
    assert blocks[0][1] != blocks[1][1]


def test_summary_appends(tmp_path):
    summary = tmp_path / "summary.md"
    env = {"GITHUB_STEP_SUMMARY": str(summary)}
    gha.write_summary("# one", env)
    gha.write_summary("# two", env)
    assert summary.read_text() == "# one\n\n# two\n\n"


def test_publish_does_nothing_outside_actions(tmp_path):
    out = tmp_path / "out"
    gha.publish({"a": "b"}, "x", {"GITHUB_OUTPUT": str(out)})
    assert not out.exists()


def test_annotation_escapes_newlines_and_percent(capsys):
    gha.annotate_error("50% done\nthen failed")
    assert capsys.readouterr().err == "::error title=platformctl::50%25 done%0Athen failed\n"


def test_mask(capsys):
    gha.mask("s3cr3t")
    assert capsys.readouterr().err == "::add-mask::s3cr3t\n"


@pytest.mark.parametrize("value", ["plain", ""])
def test_output_values_round_trip(tmp_path, value):
    out = tmp_path / "out"
    gha.write_outputs({"k": value}, {"GITHUB_OUTPUT": str(out)})
    assert out.read_text().split("\n")[1] == value


def test_a_multiline_secret_is_masked_line_by_line(capsys):
    gha.mask("-----BEGIN KEY-----\nMIIEabc\n-----END KEY-----\n")
    assert capsys.readouterr().err.splitlines() == [
        "::add-mask::-----BEGIN KEY-----%0AMIIEabc%0A-----END KEY-----%0A",
        "::add-mask::-----BEGIN KEY-----",
        "::add-mask::MIIEabc",
        "::add-mask::-----END KEY-----",
    ]
