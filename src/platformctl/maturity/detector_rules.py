"""The built-in evidence detectors, as tables of file patterns and content patterns.

Each detector reports *kinds* (e.g. which CI systems) seen in a repository. Path rules need
only the tree listing; content rules read a bounded number of candidate files. File patterns
follow ``TreeView.glob``: a bare name matches at any depth, a leading '/' anchors at the root.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from platformctl.maturity.detectors import Detector, Finding, TreeView, finding

YAML = ("*.yaml", "*.yml")
CI_FILES = (
    "/.github/workflows/*.y*ml",
    "/.gitlab-ci.yml",
    "*.gitlab-ci.yml",
    "Jenkinsfile",
    "/.circleci/config.yml",
    "azure-pipelines.y*ml",
    "/bitbucket-pipelines.yml",
    "/.travis.yml",
    "/.buildkite/*.y*ml",
    "/.drone.yml",
    "/.tekton/*.y*ml",
)

PathRules = Mapping[str, tuple[str, ...]]
ContentRules = Mapping[str, tuple[tuple[str, ...], str]]


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE | re.MULTILINE)


def table_detector(
    id_: str, title: str, paths: PathRules | None = None, content: ContentRules | None = None
) -> Detector:
    """A detector from path rules ``{kind: patterns}`` and content rules ``{kind: (patterns, regex)}``."""
    compiled = {kind: (pats, _rx(rx)) for kind, (pats, rx) in (content or {}).items()}

    def detect(view: TreeView) -> Finding:
        kinds: set[str] = set()
        hits: list[str] = []
        for kind, patterns in (paths or {}).items():
            found = view.glob(*patterns)
            if found:
                kinds.add(kind)
                hits += found[:2]
        for kind, (patterns, regex) in compiled.items():
            hit = view.first_match(patterns, regex)
            if hit:
                kinds.add(kind)
                hits.append(hit)
        return finding(kinds, hits)

    return Detector(id_, title, detect)


_DETECTORS = [
    table_detector(
        "ci_systems",
        "CI/CD systems",
        paths={
            "github-actions": ("/.github/workflows/*.y*ml",),
            "gitlab-ci": ("/.gitlab-ci.yml",),
            "jenkins": ("Jenkinsfile",),
            "circleci": ("/.circleci/config.yml",),
            "azure-pipelines": ("azure-pipelines.yml", "azure-pipelines.yaml"),
            "bitbucket-pipelines": ("/bitbucket-pipelines.yml",),
            "travis-ci": ("/.travis.yml",),
            "buildkite": ("/.buildkite/*.y*ml",),
            "teamcity": ("/.teamcity/settings.kts",),
            "drone": ("/.drone.yml",),
            "tekton": ("/.tekton/*",),
        },
    ),
    table_detector(
        "deploy_automation",
        "Automated deployment",
        content={
            "ci-deploy": (
                CI_FILES,
                r"environment:\s*['\"]?(production|prod)\b|helm (upgrade|install)"
                r"|kubectl apply|terraform apply|tofu apply|pulumi up|cdk deploy"
                r"|gcloud run deploy"
                r"|aws ecs update-service|az (webapp|containerapp) (deploy|up)|flyctl deploy"
                r"|platformctl env up|argocd app sync",
            ),
            "gitops": (
                YAML,
                r"^kind:\s*(Application|ApplicationSet)\s*$|(kustomize|helm)\.toolkit\.fluxcd\.io",
            ),
            "progressive-delivery": (YAML, r"^kind:\s*Rollout\s*$|flagger\.app/"),
        },
    ),
    table_detector(
        "service_templates",
        "Service templates",
        paths={
            "copier": ("copier.yml", "copier.yaml"),
            "cookiecutter": ("cookiecutter.json",),
            "generated-from-template": (".copier-answers.yml", ".copier-answers.yaml", "/.cruft.json"),
        },
        content={
            "backstage-template": (YAML, r"scaffolder\.backstage\.io/v1"),
            "golden-path-service": (("/platform.yaml",), r"^\s*golden_path:"),
        },
    ),
    table_detector(
        "iac",
        "Infrastructure as code",
        paths={
            "terraform": ("*.tf",),
            "opentofu": ("*.tofu",),
            "terragrunt": ("terragrunt.hcl",),
            "pulumi": ("Pulumi.yaml", "Pulumi.yml"),
            "aws-cdk": ("cdk.json",),
            "bicep": ("*.bicep",),
        },
        content={
            "cloudformation": ((*YAML, "*.template", "*.json"), r"AWSTemplateFormatVersion"),
            "crossplane": (YAML, r"apiextensions\.crossplane\.io|pkg\.crossplane\.io"),
        },
    ),
    table_detector(
        "docs",
        "Documentation",
        paths={
            "readme": ("/README*", "/readme*"),
            "docs-folder": ("/docs/*", "/doc/*"),
            "docs-site": ("mkdocs.yml", "mkdocs.yaml", "docusaurus.config.*", "antora.yml", "/docs/conf.py"),
            "adr": ("*/adr/*", "adr/*", "*/decisions/*.md"),
        },
        content={
            "techdocs": (("catalog-info.yaml", "catalog-info.yml"), r"backstage\.io/techdocs-ref"),
        },
    ),
    table_detector(
        "catalog",
        "Software catalog entries",
        paths={
            "backstage": ("catalog-info.yaml", "catalog-info.yml"),
            "opslevel": ("opslevel.yml", "opslevel.yaml", ".opslevel.yml"),
            "cortex": ("cortex.yaml", "cortex.yml"),
            "port": ("/port.yml", "/port.yaml"),
        },
    ),
    table_detector(
        "codeowners",
        "Code owners",
        paths={
            "codeowners": ("/CODEOWNERS", "/.github/CODEOWNERS", "/docs/CODEOWNERS", "/.gitlab/CODEOWNERS"),
        },
    ),
    table_detector(
        "policy_as_code",
        "Policy as code",
        paths={
            "opa-rego": ("*.rego",),
            "pulumi-policy": ("PulumiPolicy.yaml",),
            "sentinel": ("*.sentinel",),
            "checkov": (".checkov.yml", ".checkov.yaml"),
        },
        content={
            "kyverno": (YAML, r"kyverno\.io/v\d"),
            "gatekeeper": (YAML, r"^kind:\s*ConstraintTemplate\s*$"),
            "conftest": (CI_FILES, r"\bconftest (test|verify)\b"),
        },
    ),
    table_detector(
        "dependency_updates",
        "Dependency update bots",
        paths={
            "dependabot": ("/.github/dependabot.yml", "/.github/dependabot.yaml"),
            "renovate": (
                "/renovate.json",
                "/renovate.json5",
                "/.github/renovate.json",
                "/.github/renovate.json5",
                "/.gitlab/renovate.json",
                "/.gitlab/renovate.json5",
                "/.renovaterc",
                "/.renovaterc.json",
                "/.renovaterc.json5",
            ),
            "scala-steward": ("/.scala-steward.conf", "/.github/.scala-steward.conf"),
        },
    ),
    table_detector(
        "security_scanning",
        "Security scanning in CI",
        paths={
            "codeql": ("/.github/codeql/*",),
        },
        content={
            "codeql": (CI_FILES, r"github/codeql-action|\bcodeql\b"),
            "trivy": (CI_FILES, r"\btrivy\b"),
            "grype": (CI_FILES, r"\bgrype\b"),
            "snyk": (CI_FILES, r"\bsnyk\b"),
            "semgrep": (CI_FILES, r"\bsemgrep\b"),
            "secret-scanning": (CI_FILES, r"\b(gitleaks|trufflehog|detect-secrets)\b"),
            "dependency-review": (CI_FILES, r"dependency-review-action|pip-audit|npm audit|osv-scanner"),
            "gitlab-security": (
                CI_FILES,
                r"template:\s*['\"]?(Security|Jobs)/(SAST|Dependency-Scanning|"
                r"Secret-Detection|Container-Scanning)",
            ),
            "sbom": (CI_FILES, r"\b(syft|cyclonedx)\b"),
            "signing": (CI_FILES, r"\bcosign\b"),
        },
    ),
    table_detector(
        "otel",
        "OpenTelemetry",
        paths={
            "collector-config": ("otel-collector*.y*ml", "otelcol*.y*ml"),
        },
        content={
            "python": (
                ("requirements*.txt", "pyproject.toml", "setup.cfg", "setup.py", "Pipfile"),
                r"opentelemetry-(api|sdk|distro|instrumentation)",
            ),
            "node": (("package.json",), r"\"@opentelemetry/"),
            "go": (("go.mod",), r"go\.opentelemetry\.io/otel"),
            "java": (("pom.xml", "build.gradle", "build.gradle.kts"), r"io\.opentelemetry"),
            "dotnet": (("*.csproj",), r"OpenTelemetry"),
            "operator": (YAML, r"^kind:\s*(OpenTelemetryCollector|Instrumentation)\s*$"),
        },
    ),
    table_detector(
        "monitoring_config",
        "Monitoring configuration",
        paths={
            "grafana-dashboards": ("*dashboard*.json", "*/dashboards/*.json"),
            "prometheus-config": ("prometheus.yml", "alertmanager.yml"),
        },
        content={
            "prometheus-rules": (YAML, r"^kind:\s*PrometheusRule\s*$"),
            "service-monitors": (YAML, r"^kind:\s*(ServiceMonitor|PodMonitor)\s*$"),
            "datadog-monitors": (("*.tf",), r"resource\s+\"datadog_monitor\""),
        },
    ),
    table_detector(
        "slo",
        "SLO definitions",
        content={
            "openslo": (YAML, r"^apiVersion:\s*['\"]?openslo/v"),
            "sloth": (
                YAML,
                r"sloth\.slok\.dev/|^kind:\s*PrometheusServiceLevel\s*$"
                r"|^version:\s*['\"]?prometheus/v1",
            ),
            "pyrra": (YAML, r"pyrra\.dev/v"),
            "terraform-slo": (
                ("*.tf",),
                r"resource\s+\"[a-z0-9_]*(_slo|service_level_objective)[a-z0-9_]*\"",
            ),
        },
    ),
]

DETECTORS: dict[str, Detector] = {d.id: d for d in _DETECTORS}
