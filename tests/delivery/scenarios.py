"""The scenarios of the delivery tests, each with its figures computed by hand.

Every source (events file, local store, forge fakes) must give exactly these figures.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.delivery.helpers import at, deployment, shift


def steady_weekly() -> list[dict[str, Any]]:
    """12 Mondays from 2026-01-05, 10:00 UTC; each ships one commit from 24 h before.

    Window 2026-01-05 .. 2026-03-29 (84 days = 12 weeks): 1.0 per week; lead 24 h exactly,
    which is not under a day, so the lead time cluster is high, not elite.
    """
    start = dt.date(2026, 1, 5)
    days = [(start + dt.timedelta(weeks=n)).isoformat() for n in range(12)]
    return [deployment("api", f"s{n}", at(d, 10), lead_hours=24) for n, d in enumerate(days)]


def incidents_and_revert() -> list[dict[str, Any]]:
    """Daily deployments d1..d10 from 2026-03-02 12:00 UTC, each change committed 6 h before.

    - INC-1 caused by d3 (linked by id), resolved 3 h after d3: recovery 3 h via the incident;
      d4 remediates INC-1 (rework).
    - INC-2 caused by commit c6, shipped by d6 (linked by a change SHA, not the deployed SHA),
      never resolved in the tracker: recovery 24 h via d7, a revert (rework, unplanned).
    Change fail rate 2/10 = 20 %; rework 2/10 = 20 %; recovery median (3 + 24) / 2 = 13.5 h,
    p90 (nearest rank 2 of 2) 24 h; lead median 6 h.
    """
    records = []
    for n in range(1, 11):
        when = at(f"2026-03-{n + 1:02d}")
        extra: dict[str, Any] = {
            "id": f"d{n}",
            "changes": [{"sha": f"c{n}", "committed_at": shift(when, -6)}],
        }
        if n == 4:
            extra["remediates"] = "INC-1"
        if n == 7:
            extra["unplanned"] = True
        records.append(deployment("api", f"s{n}", when, **extra))
    d3 = at("2026-03-04")
    records.append(
        {
            "type": "incident",
            "id": "INC-1",
            "service": "api",
            "started_at": shift(d3, 1),
            "resolved_at": shift(d3, 3),
            "deployment": "d3",
        }
    )
    records.append(
        {
            "type": "incident",
            "id": "INC-2",
            "service": "api",
            "started_at": shift(at("2026-03-07"), 2),
            "sha": "c6",
        }
    )
    return records


def several_commits() -> list[dict[str, Any]]:
    """A rebased pull request (three commits) then a squash merge, the second deploy repeating c3.

    D1 2026-03-10 12:00 ships c1 (24 h), c2 (6 h), c3 (1 h); D2 2026-03-11 12:00 ships c3 again
    (not a new sample) and the squashed c4 (12 h). Samples 24, 6, 1, 12: median 9 h, p90 24 h.
    """
    d1, d2 = at("2026-03-10"), at("2026-03-11")
    return [
        deployment(
            "api",
            "c3",
            d1,
            changes=[
                {"sha": "c1", "committed_at": shift(d1, -24), "pr": "7"},
                {"sha": "c2", "committed_at": shift(d1, -6), "pr": "7"},
                {"sha": "c3", "committed_at": shift(d1, -1), "pr": "7"},
            ],
        ),
        deployment(
            "api",
            "c4",
            d2,
            changes=[
                {"sha": "c3", "committed_at": shift(d1, -1), "pr": "7"},
                {"sha": "c4", "committed_at": shift(d2, -12), "pr": "8"},
            ],
        ),
    ]


def never_restored() -> list[dict[str, Any]]:
    """A success on 03-02, a failed deployment on 03-05 and nothing after it before the window ends.

    Its incident is resolved on 03-09, after the window (until 2026-03-06): still unrestored.
    """
    return [
        deployment("api", "s1", at("2026-03-02"), lead_hours=2),
        deployment("api", "s2", at("2026-03-05"), lead_hours=2, status="failure", id="d2"),
        {
            "type": "incident",
            "id": "INC-9",
            "service": "api",
            "started_at": at("2026-03-05", 13),
            "resolved_at": at("2026-03-09"),
            "deployment": "d2",
        },
    ]


def window_edges() -> list[dict[str, Any]]:
    """Four deployments around the window 2026-03-01 .. 2026-03-31 (until the end of that day, UTC).

    In: exactly 2026-03-01T00:00Z (the start is inclusive) and 2026-04-01T01:59+02:00 (= 03-31 23:59Z).
    Out: 2026-03-01T01:00+02:00 (= 02-28 23:00Z) and 2026-03-31T23:30-02:00 (= 04-01 01:30Z).
    """
    return [
        deployment("api", "in1", "2026-03-01T00:00:00Z", lead_hours=1),
        deployment("api", "in2", "2026-04-01T01:59:00+02:00", lead_hours=1),
        deployment("api", "out1", "2026-03-01T01:00:00+02:00", lead_hours=1),
        deployment("api", "out2", "2026-03-31T23:30:00-02:00", lead_hours=1),
    ]


def two_services() -> list[dict[str, Any]]:
    """api ships changes of 1, 2 and 3 h; web one of 10 h. Pooled median (2 + 3) / 2 = 2.5 h,
    where a median of the medians would say (2 + 10) / 2 = 6 h."""
    return [
        deployment("api", "a1", at("2026-03-02"), lead_hours=1),
        deployment("api", "a2", at("2026-03-03"), lead_hours=2),
        deployment("api", "a3", at("2026-03-04"), lead_hours=3),
        deployment("web", "w1", at("2026-03-05"), lead_hours=10),
    ]
