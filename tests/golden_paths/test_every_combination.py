"""`golden-path test` over every combination of the optional pieces of each bundled golden path.

The bundled fixtures cover all pieces off (the defaults), all on, and the alternatives; this
renders every combination that switches a piece on or off (GitOps none/Argo CD/Flux, monitoring
off/ConfigMap dashboard/Grafana Operator dashboard, Vault secrets, Terraform infra) through the
command a platform team runs, and every check of every render must pass.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

GOLDEN_PATHS = ("python-service", "node-service", "go-service")
MONITORING = (
    {"monitoring": False},
    {"monitoring": True, "grafana_dashboard": "configmap"},
    {
        "monitoring": True,
        "grafana_dashboard": "grafana-operator",
    },
)


def combinations() -> list[dict[str, object]]:
    """Each combination of the optional pieces, as answers."""
    return [
        {"gitops": gitops, **monitoring, "secrets": secrets, "infra": infra}
        for gitops, monitoring, secrets, infra in itertools.product(
            ("none", "argocd", "flux"), MONITORING, (False, True), (False, True)
        )
    ]


@pytest.mark.slow
@pytest.mark.parametrize("name", GOLDEN_PATHS)
def test_every_combination_of_the_optional_pieces_passes(cli, tmp_path: Path, name: str) -> None:
    import json

    from platformctl.scaffold.catalog import bundled_root

    answers = tmp_path / "answers"
    answers.mkdir()
    wanted = combinations()
    for number, combination in enumerate(wanted):
        # JSON is YAML: the fixture files need no writer of their own.
        (answers / f"combination-{number:02d}.yaml").write_text(json.dumps(combination))
    result = cli("golden-path", "test", str(bundled_root() / name), "--answers-dir", str(answers), "--json")
    doc = result.json()
    failed = {
        f["fixture"]: [e for c in f["checks"] for e in c["errors"]] for f in doc["fixtures"] if not f["ok"]
    }
    assert result.exit_code == 0, failed
    assert len(doc["fixtures"]) == len(wanted) + 1  # and the defaults
    assert len(wanted) == 36
    targets = {f["fixture"]: {c["target"] for c in f["checks"]} for f in doc["fixtures"]}
    for number, combination in enumerate(wanted):  # each piece really was switched
        shown = targets[f"combination-{number:02d}.yaml"]
        assert ("deploy/argocd/applications.yaml" in shown) == (combination["gitops"] == "argocd")
        assert ("deploy/flux/kustomizations.yaml" in shown) == (combination["gitops"] == "flux")
        # The Terraform check (python-hcl2 or terraform fmt) runs on exactly the renders with infra/.
        assert ("infra" in shown) == combination["infra"]
