"""One SSL context per process and trust setting, shared by every HTTP client.

httpx builds a new ``ssl.SSLContext`` for every client it creates, and that loads the whole CA
bundle (certifi's, or ``SSL_CERT_FILE`` / ``SSL_CERT_DIR``): 40-70 ms each on a small machine,
and a run builds one client per provider. A verifying context holds no per-connection state,
so one per trust setting is built and reused (the ``ssl`` module allows sharing it between
threads). The setting is read from the environment at each call, the way httpx reads it, so a
run whose ``SSL_CERT_FILE`` or ``SSL_CERT_DIR`` differs gets a context of its own. A cluster's
own CA (a kubeconfig's) never comes through here: :mod:`~platformctl.providers.kubernetes`
builds that context itself.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ssl

TRUST_VARIABLES = ("SSL_CERT_FILE", "SSL_CERT_DIR")
_contexts: dict[tuple[str, ...], ssl.SSLContext] = {}
_lock = threading.Lock()


def trust_setting() -> tuple[str, ...]:
    """What decides which CAs a client trusts: the values of ``TRUST_VARIABLES`` ('' unset)."""
    return tuple(os.environ.get(name, "") for name in TRUST_VARIABLES)


def verifying_context() -> ssl.SSLContext:
    """The process's verifying SSL context for the current trust setting (built on first use)."""
    key = trust_setting()
    with _lock:  # two threads building clients at once load the bundle once
        context = _contexts.get(key)
        if context is None:
            import httpx

            context = _contexts[key] = httpx.create_ssl_context(verify=True, trust_env=True)
        return context
