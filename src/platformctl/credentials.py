"""Which environment variables hold credentials: platformctl's tokens and the CI runners'.

Standard library only, at the bottom of the layering: the token reader (``providers/tokens.py``)
and the secret sources of ``platform.yaml`` (``environments/secrets.py``) both ask it.
"""

from __future__ import annotations

# Environment variables per service, first set wins. Never a flag: argv is
# visible to every user of the machine.
TOKEN_VARIABLES: dict[str, tuple[str, ...]] = {
    "github": ("PLATFORMCTL_GITHUB_TOKEN", "GH_TOKEN", "GITHUB_TOKEN"),
    "gitlab": ("GITLAB_TOKEN",),
    "backstage": ("BACKSTAGE_TOKEN",),
}

# Credentials of CI runners and of platformctl itself: never a secret source of a service.
CREDENTIAL_VARIABLES = frozenset(
    {
        *(name for names in TOKEN_VARIABLES.values() for name in names),
        "PLATFORMCTL_SECRETS_KEY",
        "ACTIONS_RUNTIME_TOKEN",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
        "CI_JOB_TOKEN",
        "CI_JOB_JWT",
        "CI_JOB_JWT_V2",
        "CI_REGISTRY_PASSWORD",
        "CI_DEPLOY_PASSWORD",
    }
)


def is_credential_variable(name: str) -> bool:
    """Whether ``name`` holds one of the credentials above (any ``PLATFORMCTL_*`` variable too)."""
    return name.upper() in CREDENTIAL_VARIABLES or name.upper().startswith("PLATFORMCTL_")
