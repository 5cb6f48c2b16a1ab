"""A campaign journal outlives the command that wrote it: option placeholders go in words."""

from __future__ import annotations

import json

from platformctl.errors import OPTION_MARK, in_words, option
from platformctl.fleet.journal import Campaign, Journal


def test_a_failure_detail_is_journaled_in_words_not_as_a_placeholder(tmp_path):
    journal = Journal(tmp_path, Campaign("python-service", "1.2.0"))
    detail = f"pass {option('org')} or set {option('answers_file')}"
    journal.record("acme/beta", "failed", detail=detail, number=None)
    raw = journal.path.read_text()
    assert OPTION_MARK not in raw and "\\u001f" not in raw
    (event,) = [json.loads(line) for line in raw.splitlines()]
    assert event["detail"] == "pass org or set answers file"
    assert "number" not in event and event["step"] == "failed"


def test_in_words_names_another_commands_input_by_its_name_and_leaves_other_text_alone():
    assert in_words(f"see {option('events', command='assess delivery')} FILE") == "see events FILE"
    assert in_words("no placeholder \x1fhere") == "no placeholder \x1fhere"
