"""The defaults a golden path's questions would get, as ``golden-path show`` presents them.

Copier defaults may be Jinja templates computed from earlier answers (``The {{ service_name }}
service``). A template that needs only earlier defaults is rendered to the value ``new service``
would use; one that needs an answer without a default (the service name) is rendered with a
``<question>`` placeholder in its place and reported as needing that answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from platformctl.config import Settings
    from platformctl.scaffold.catalog import GoldenPath, Question

# Questions whose default comes from a setting of the platform config, when it is set.
SETTING_DEFAULTS = (
    ("owner", "owner"),
    ("organization", "org"),
    ("argocd_project", "platform.argocd.project"),
    ("argocd_namespace", "platform.argocd.namespace"),
    ("gitops_repo_base", "platform.argocd.repo_url"),
    ("vault_mount", "platform.vault.mount"),
    ("secret_store", "platform.vault.cluster_secret_store"),
    ("grafana_folder", "platform.grafana.folder"),
    ("grafana_dashboard", "platform.grafana.dashboards"),
    ("grafana_instance_labels", "platform.grafana.instance_labels"),
    ("alert_labels", "platform.alerting.labels"),
    ("terraform_module_source", "platform.terraform.module_source"),
    ("terraform_module_version", "platform.terraform.module_version"),
)


@dataclass(frozen=True)
class DefaultPreview:
    """A question's default as it would be used, and what it is computed from."""

    value: Any
    template: str | None = None
    computed_from: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()

    @property
    def known(self) -> bool:
        """Whether ``value`` is the actual default (it needs no answer the user must give)."""
        return not self.needs


def defaults_from_settings(golden_path: GoldenPath, settings: Settings) -> dict[str, tuple[Any, str]]:
    """Answers the platform config supplies (``owner``, ``org``, ``platform.*``), with their origin."""
    configured = {key: _configured(settings, key) for _, key in SETTING_DEFAULTS}
    return {
        question: (configured[key], f"{key} (settings)")
        for question, key in SETTING_DEFAULTS
        if configured[key] and golden_path.question(question)
    }


def _configured(settings: Settings, key: str) -> object:
    if key in ("owner", "org"):
        return settings.owner if key == "owner" else settings.org
    return settings.platform_setting(key)


def preview_defaults(golden_path: GoldenPath, given: Mapping[str, Any]) -> dict[str, DefaultPreview]:
    """The default of every question that has one (or is ``given``), rendered where possible."""
    context: dict[str, Any] = {}
    placeholders: set[str] = set()
    previews: dict[str, DefaultPreview] = {}
    for question in golden_path.questions:
        if question.name in given:
            context[question.name] = given[question.name]
            previews[question.name] = DefaultPreview(given[question.name])
        elif not question.has_default:
            context[question.name] = f"<{question.name}>"
            placeholders.add(question.name)
        elif _is_template(question.default):
            uses = _referenced(question.default, golden_path)
            needs = tuple(name for name in uses if name in placeholders or name not in context)
            value = _rendered(question, context)
            if not needs:
                value = _typed(question, value)
            previews[question.name] = DefaultPreview(value, question.default, uses, needs)
            context[question.name] = value
        else:
            context[question.name] = question.default
            previews[question.name] = DefaultPreview(question.default)
    return previews


def _is_template(value: Any) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def _referenced(source: str, golden_path: GoldenPath) -> tuple[str, ...]:
    """The questions a template uses, in question order."""
    from platformctl.scaffold.answers import template_variables

    names = template_variables(source)
    return tuple(q.name for q in golden_path.questions if q.name in names)


def _rendered(question: Question, context: Mapping[str, Any]) -> Any:
    from platformctl.errors import TemplateError
    from platformctl.scaffold.answers import render_default

    try:
        return render_default(question, context)
    except TemplateError:  # a broken expression: show it as written
        return question.default


def _typed(question: Question, value: Any) -> Any:
    """A rendered default as its question's type (an ``int`` question renders to text)."""
    from platformctl.errors import UsageError
    from platformctl.scaffold.answers import coerce_answer

    try:
        return coerce_answer(question, value, "default")
    except UsageError:
        return value
