"""``kubernetes_validate.validate`` with each schema file parsed once per test process.

The library opens and parses its schema files on every call, the large ``_definitions.json``
included: that was most of the time of a write to the Kubernetes fake and of checking rendered
manifests. The files never change while tests run, so the parsed documents are kept; the
validation itself is the library's, unchanged. The cache is the process's: product code run
in-process afterwards (``golden-path lint``) reads the kept documents too, and checks the same.
"""

from __future__ import annotations

import functools
from typing import Any


@functools.cache
def _remember_schemas() -> None:
    from kubernetes_validate import utils

    utils.schema_contents = functools.cache(utils.schema_contents)  # validate() looks it up per call


def validate(obj: dict[str, Any], version: str) -> str:
    """Strict validation of ``obj`` against Kubernetes ``version``; raises the library's errors."""
    import kubernetes_validate

    _remember_schemas()
    return kubernetes_validate.validate(obj, version, strict=True)
