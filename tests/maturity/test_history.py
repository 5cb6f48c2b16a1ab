"""History file: append, read, tolerate damage, and the change since the previous run."""

from __future__ import annotations

import json

from platformctl.maturity.history import HistoryEntry, append_history, change_since, read_history


def entry(at, score, level, **dims):
    return HistoryEntry(
        at=at, model="Tiny", model_version="0.1", score=score, band=level, level=level, dimensions=dims
    )


def test_append_and_read_back(tmp_path):
    path = tmp_path / "h" / "history.jsonl"
    history = read_history(path)
    assert history.entries == [] and history.previous is None
    append_history(history, entry("2025-01-01T00:00:00+00:00", 40.0, 2, a=50.0))
    append_history(read_history(path), entry("2025-02-01T00:00:00+00:00", 55.5, 3, a=60.0))
    again = read_history(path)
    assert [e.score for e in again.entries] == [40.0, 55.5]
    assert again.previous.level == 3
    assert all(json.loads(line)["model"] == "Tiny" for line in path.read_text().splitlines())


def test_damaged_lines_are_skipped_and_reported(tmp_path):
    path = tmp_path / "history.jsonl"
    good = json.dumps(entry("2025-01-01", 10.0, 1).as_dict())
    path.write_text(f'{good}\nnot json\n\n{{"at": "x"}}\n{good}')  # no final newline either
    history = read_history(path)
    assert len(history.entries) == 2
    assert history.skipped_lines == [2, 4]
    append_history(history, entry("2025-03-01", 20.0, 1))
    assert read_history(path).entries[-1].score == 20.0


def test_change_since_previous():
    before = entry("2025-01-01", 40.0, 2, a=50.0, b=30.0)
    now = entry("2025-02-01", 52.5, 3, a=55.0, c=10.0)
    change = change_since(before, now)
    assert (change.since, change.score, change.level, change.dimensions) == (
        "2025-01-01",
        12.5,
        1,
        {"a": 5.0},
    )
    assert change.model_changed is False
    assert change_since(None, now) is None
    other = HistoryEntry(at="x", model="Tiny", model_version="0.2", score=1, band=1, level=1)
    assert change_since(other, now).model_changed is True
