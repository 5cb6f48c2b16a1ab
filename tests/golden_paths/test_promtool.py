"""The rendered alerting rules pass `promtool check rules` and `promtool test rules`.

promtool comes from Debian's prometheus package (.ci/promtool.sh installs it); without it
these tests are skipped with that reason.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.golden_paths.gp_support import GOLDEN_PATHS, load_yaml_all
from tests.golden_paths.shared_renders import shared_render

pytestmark = pytest.mark.skipif(
    shutil.which("promtool") is None, reason="promtool is not installed (.ci/promtool.sh installs Debian's)"
)
ALERTS = [
    f"{slo}BurnRate{speed}" for slo in ("Availability", "Latency") for speed in ("Fast1H", "Fast6H", "Slow1D")
]


def _rules_file(root: Path, tmp_path: Path) -> tuple[Path, dict[str, dict[str, Any]]]:
    """The PrometheusRule's spec as a plain Prometheus rule file, and its alerts by name."""
    (rule,) = load_yaml_all(root / "deploy/k8s/base/prometheusrule.yaml")
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(rule["spec"]), encoding="utf-8")
    alerts = {r["alert"]: r for g in rule["spec"]["groups"] for r in g["rules"] if "alert" in r}
    return path, alerts


def _series(errors_per_minute: int, slow_per_minute: int) -> list[dict[str, str]]:
    """Two hours of traffic: 100 requests a minute, some failing, some slower than 0.5 s."""
    sel = 'job="payments"'
    return [
        {
            "series": f'http_requests_total{{{sel},status="200"}}',
            "values": f"0+{100 - errors_per_minute}x120",
        },
        {"series": f'http_requests_total{{{sel},status="500"}}', "values": f"0+{errors_per_minute}x120"},
        {
            "series": f'http_request_duration_seconds_bucket{{{sel},le="0.5"}}',
            "values": f"0+{100 - slow_per_minute}x120",
        },
        {"series": f"http_request_duration_seconds_count{{{sel}}}", "values": "0+100x120"},
    ]


def _expected(alert: dict[str, Any]) -> dict[str, Any]:
    return {"exp_labels": {**alert["labels"]}, "exp_annotations": alert["annotations"]}


@pytest.mark.parametrize("gp", GOLDEN_PATHS)
def test_rules_check_and_burn_rate_alerts_fire_as_designed(tmp_path, gp: str) -> None:
    root = shared_render(gp, monitoring=True)  # read only: the rules go to tmp_path
    rules, alerts = _rules_file(root, tmp_path)
    assert sorted(alerts) == sorted(ALERTS)
    check = subprocess.run(
        ["promtool", "check", "rules", str(rules)], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stdout + check.stderr
    at = "70m"
    cases = [
        # Healthy: nothing fires.
        (_series(0, 0), {name: [] for name in ALERTS}),
        # 2% errors burn a 99.9% budget 20x: every availability alert fires, no latency alert.
        (
            _series(2, 0),
            {
                **{n: [_expected(alerts[n])] for n in ALERTS if n.startswith("Availability")},
                **{n: [] for n in ALERTS if n.startswith("Latency")},
            },
        ),
        # 20% slow requests burn the 99% latency budget 20x.
        (
            _series(0, 20),
            {
                **{n: [_expected(alerts[n])] for n in ALERTS if n.startswith("Latency")},
                **{n: [] for n in ALERTS if n.startswith("Availability")},
            },
        ),
    ]
    tests = [
        {
            "interval": "1m",
            "input_series": series,
            "alert_rule_test": [
                {"eval_time": at, "alertname": name, "exp_alerts": exp} for name, exp in expected.items()
            ],
        }
        for series, expected in cases
    ]
    unit = tmp_path / "test.yaml"
    unit.write_text(
        yaml.safe_dump({"rule_files": [rules.name], "evaluation_interval": "1m", "tests": tests}),
        encoding="utf-8",
    )
    result = subprocess.run(
        ["promtool", "test", "rules", str(unit)], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout + result.stderr
