"""Evidence detectors on repositories built in temporary directories (real git where it matters)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from platformctl.errors import UsageError
from platformctl.maturity.checkout import checkout_trees
from platformctl.maturity.detector_rules import DETECTORS
from platformctl.maturity.detectors import detect_all
from tests.maturity.helpers import build_files, git_repo

WORKFLOW = """\
name: ci
on: [push]
jobs:
  scan:
    runs-on: ubuntu-latest
    steps:
      - uses: github/codeql-action/init@v3
      - run: trivy fs .
      - run: cosign sign $IMAGE
  deploy:
    environment: production
    steps:
      - run: helm upgrade --install app chart/
"""

EVERYTHING = {
    ".github/workflows/ci.yml": WORKFLOW,
    "README.md": "# svc\n",
    "docs/index.md": "hi\n",
    "mkdocs.yml": "site_name: svc\n",
    "docs/adr/0001-record.md": "# ADR\n",
    "catalog-info.yaml": "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\n"
    "  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  owner: team-a\n",
    ".github/CODEOWNERS": "* @org/team-a\n",
    ".github/dependabot.yml": "version: 2\n",
    "infra/main.tf": 'resource "google_monitoring_slo" "x" {}\n',
    "policy/deny.rego": "package main\n",
    "deploy/kyverno.yaml": "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\n",
    "deploy/rules.yaml": "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\n",
    "deploy/slo.yaml": "apiVersion: openslo/v1\nkind: SLO\n",
    "deploy/app.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Application\n",
    "requirements.txt": "fastapi\nopentelemetry-sdk==1.25\n",
    "templates/svc/copier.yml": "name: {type: str}\n",
    ".copier-answers.yml": "_src_path: gh:org/tpl\n",
}


def scan(*paths):
    return detect_all(list(checkout_trees(list(paths))))


def test_every_detector_finds_its_signal(tmp_path):
    repo = git_repo(tmp_path / "svc", EVERYTHING)
    ev = scan(repo)
    assert set(ev) == set(DETECTORS)
    kinds = {d: e.kinds for d, e in ev.items()}
    assert kinds["ci_systems"] == ("github-actions",)
    assert kinds["deploy_automation"] == ("ci-deploy", "gitops")
    assert kinds["service_templates"] == ("copier", "generated-from-template")
    assert kinds["iac"] == ("terraform",)
    assert kinds["docs"] == ("adr", "docs-folder", "docs-site", "readme", "techdocs")
    assert kinds["catalog"] == ("backstage",)
    assert kinds["codeowners"] == ("codeowners",)
    assert kinds["policy_as_code"] == ("kyverno", "opa-rego")
    assert kinds["dependency_updates"] == ("dependabot",)
    assert kinds["security_scanning"] == ("codeql", "signing", "trivy")
    assert kinds["otel"] == ("python",)
    assert kinds["monitoring_config"] == ("prometheus-rules",)
    assert kinds["slo"] == ("openslo", "terraform-slo")
    assert all(e.repositories == 1 and e.with_signal == 1 and e.coverage == 100.0 for e in ev.values())
    assert ev["codeowners"].examples == ("svc:.github/CODEOWNERS",)
    assert ev["ci_systems"].summary() == "github-actions in 1 of 1 repository"


def test_three_ci_systems_and_ignored_files_in_a_git_checkout(tmp_path):
    repo = git_repo(
        tmp_path / "mono",
        {
            ".github/workflows/build.yaml": "on: push\n",
            ".gitlab-ci.yml": "test:\n  script: make\n",
            "tools/Jenkinsfile": "pipeline {}\n",
            ".gitignore": "ignored/\n",
            "ignored/.circleci/config.yml": "version: 2\n",
            "node_modules/dep/.travis.yml": "language: node\n",  # vendored: never evidence
        },
        commit=False,
    )  # untracked but not ignored files count too
    ev = scan(repo)["ci_systems"]
    assert ev.kinds == ("github-actions", "gitlab-ci", "jenkins")


def test_plain_folder_is_walked_skipping_dependency_folders(tmp_path):
    root = build_files(
        tmp_path / "plain",
        {
            "Jenkinsfile": "pipeline {}\n",
            "node_modules/x/.github/workflows/ci.yml": "on: push\n",
            ".venv/lib/otel-collector.yaml": "receivers: {}\n",
        },
    )
    ev = scan(root)
    assert ev["ci_systems"].kinds == ("jenkins",)
    assert ev["otel"].kinds == ()


def test_folder_of_clones_gives_coverage(tmp_path):
    git_repo(tmp_path / "org" / "a", {"CODEOWNERS": "* @a\n", "renovate.json": "{}\n", "x.tf": ""})
    git_repo(tmp_path / "org" / "b", {"README.md": "b\n"})
    git_repo(tmp_path / "org" / "c", {"README.md": "c\n", ".gitlab-ci.yml": "x:\n  script: y\n"})
    ev = scan(tmp_path / "org")
    assert ev["codeowners"].repositories == 3
    assert ev["codeowners"].with_signal == 1
    assert round(ev["codeowners"].coverage, 1) == 33.3
    assert ev["dependency_updates"].kinds == ("renovate",)
    assert ev["docs"].with_signal == 2
    assert ev["ci_systems"].summary() == "gitlab-ci in 1 of 3 repositories"
    assert ev["slo"].summary() == "nothing found in 3 repositories"


def test_content_rules_are_specific(tmp_path):
    root = build_files(
        tmp_path / "svc",
        {
            "package.json": '{"dependencies": {"@opentelemetry/api": "1.9.0"}}',
            "go.mod": "module x\nrequire go.opentelemetry.io/otel v1.28.0\n",
            "k8s/quota.yaml": "kind: ResourceQuota\n",  # no policy, SLO or monitoring kind
            "notes.md": "we should adopt kyverno.io/v1 and PrometheusRule one day\n",  # not YAML: ignored
            ".gitlab-ci.yml": "include:\n  - template: Security/SAST.gitlab-ci.yml\n",
        },
    )
    ev = scan(root)
    assert ev["otel"].kinds == ("go", "node")
    assert ev["policy_as_code"].kinds == ()
    assert ev["monitoring_config"].kinds == ()
    assert ev["security_scanning"].kinds == ("gitlab-security",)


@dataclass
class ListingOnly:
    """A tree from a host's tree listing without contents: the interface the org scan will use."""

    name: str
    listing: list[str]

    def paths(self):
        return self.listing

    def read_text(self, path):
        return None


def test_detectors_work_on_a_listing_without_contents():
    tree = ListingOnly(
        "api",
        [
            ".github/workflows/ci.yml",
            "Jenkinsfile",
            "main.tf",
            "deploy/slo.yaml",
            ".github/dependabot.yml",
            "package.json",
        ],
    )
    ev = detect_all([tree])
    assert ev["ci_systems"].kinds == ("github-actions", "jenkins")
    assert ev["iac"].kinds == ("terraform",)
    assert ev["dependency_updates"].kinds == ("dependabot",)
    assert ev["slo"].kinds == () and ev["otel"].kinds == ()  # these need file contents


def test_detect_path_must_be_a_directory(tmp_path):
    with pytest.raises(UsageError, match="not a directory"):
        list(checkout_trees([tmp_path / "missing"]))


def test_glob_patterns():
    from platformctl.maturity.detectors import TreeView

    view = TreeView(
        ListingOnly(
            "x",
            [
                "main.tf",
                "a/b/net.tf",
                "a/.gitlab-ci.yml",
                ".gitlab-ci.yml",
                "dashboards/cpu.json",
                "ops/my-dashboard.json",
                "docs/adr/1.md",
                "x.tfvars",
            ],
        )
    )
    assert view.glob("*.tf") == ["main.tf", "a/b/net.tf"]
    assert view.glob("/.gitlab-ci.yml") == [".gitlab-ci.yml"]
    assert view.glob("*dashboard*.json") == ["ops/my-dashboard.json"]  # '*' stays inside the file name
    assert view.glob("*/adr/*") == ["docs/adr/1.md"]
    assert view.glob("?ain.tf", "nothing") == ["main.tf"]


def test_clones_listed_concurrently_keep_what_git_ignores_out(tmp_path):
    # several clones: their listings come from concurrent git processes, each its own
    for name in ("a", "b", "c", "d"):
        git_repo(tmp_path / "org" / name, {".gitignore": "/CODEOWNERS\n", "README.md": f"{name}\n"})
    (tmp_path / "org" / "a" / "CODEOWNERS").write_text("* @a\n")  # ignored: no signal
    (tmp_path / "org" / "b" / ".github").mkdir()
    (tmp_path / "org" / "b" / ".github" / "CODEOWNERS").write_text("* @b\n")  # untracked, not ignored
    ev = scan(tmp_path / "org")
    assert ev["codeowners"].repositories == 4
    assert ev["codeowners"].with_signal == 1
