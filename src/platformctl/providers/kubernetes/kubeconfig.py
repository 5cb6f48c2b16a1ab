"""A small kubeconfig loader: the cluster, the TLS settings and the credentials of one context.

``KUBECONFIG`` (a list of files, merged: the first file to name a cluster, user, context or the
current context wins) or ``~/.kube/config``; inside a pod, the service account. Users may hold a
bearer ``token``, a ``tokenFile``, client certificates (files or ``-data``), or an ``exec``
plugin of ``client.authentication.k8s.io/v1`` (or ``v1beta1``) whose ``ExecCredential`` is
cached until it expires. Relative paths are relative to the file that names them.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from platformctl.errors import AuthError, ConfigError

EXEC_API_VERSIONS = ("client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1")
IN_CLUSTER = Path("/var/run/secrets/kubernetes.io/serviceaccount")


@dataclass(frozen=True)
class Credentials:
    """What authenticates one request: a bearer token and/or a client certificate (PEM)."""

    token: str | None = field(default=None, repr=False)
    cert_pem: bytes | None = field(default=None, repr=False)
    key_pem: bytes | None = field(default=None, repr=False)
    expires_at: datetime | None = None


@dataclass
class ClusterConfig:
    """One kubeconfig context, resolved: server, TLS, default namespace and how to authenticate."""

    context: str
    server: str
    namespace: str | None = None
    ca_pem: bytes | None = field(default=None, repr=False)
    insecure: bool = False
    tls_server_name: str | None = None
    user: Mapping[str, Any] = field(default_factory=dict, repr=False)
    base_dir: Path = Path()
    # The platform home: client certificates are written under <home>/tmp while ssl loads them.
    home: Path | None = None
    _cached: Credentials | None = field(default=None, init=False, repr=False)

    def credentials(self, *, refresh: bool = False) -> Credentials:
        """The credentials, running the exec plugin when there is one (cached until expiry).

        Raises:
            AuthError: a token file or client certificate cannot be read, or the plugin fails.
        """
        if self._cached and not refresh and not _expired(self._cached):
            return self._cached
        self._cached = _credentials(self.user, self.base_dir, self.context)
        return self._cached

    def ssl_context(self) -> Any:
        """An ``ssl.SSLContext`` trusting the cluster CA (or the system's) with the client cert loaded."""
        import ssl

        ctx = ssl.create_default_context()
        if self.ca_pem:
            ctx.load_verify_locations(cadata=self.ca_pem.decode("ascii", "replace"))
        if self.insecure:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        creds = self.credentials()
        if creds.cert_pem and creds.key_pem:
            _load_cert_chain(ctx, creds.cert_pem, creds.key_pem, self.home, self.context)
        return ctx


def load_kubeconfig(
    env: Mapping[str, str], *, context: str | None = None, home: Path | None = None
) -> ClusterConfig:
    """Resolve the context to use from ``KUBECONFIG``, ``~/.kube/config`` or the pod's service account.

    ``home`` is the platform home, under whose ``tmp/`` client certificates are briefly written.

    Raises:
        ConfigError: no kubeconfig, unknown context, or a malformed file.
    """
    paths = _kubeconfig_paths(env)
    if not paths:
        if env.get("KUBERNETES_SERVICE_HOST") and (IN_CLUSTER / "token").is_file():
            return _in_cluster(env)  # a token, no client certificate: nothing is written
        raise ConfigError(
            "no kubeconfig found (KUBECONFIG is unset and ~/.kube/config does not exist)",
            hint="set KUBECONFIG to the file your cluster admin gave you",
        )
    merged = _merge([(p, _read(p)) for p in paths])
    name = context or merged["current-context"]
    if not name:
        raise ConfigError(
            f"kubeconfig {os.pathsep.join(map(str, paths))} has no current-context",
            hint="run 'kubectl config use-context NAME'",
        )
    ctx, _ctx_dir = _named(merged["contexts"], name, "context", paths)
    cluster, cluster_dir = _named(merged["clusters"], ctx.get("cluster"), "cluster", paths)
    user, user_dir = (
        _named(merged["users"], ctx.get("user"), "user", paths) if ctx.get("user") else ({}, Path())
    )
    if not cluster.get("server"):
        raise ConfigError(f"kubeconfig cluster {ctx.get('cluster')!r} has no server")
    return ClusterConfig(
        context=name,
        server=str(cluster["server"]).rstrip("/"),
        namespace=ctx.get("namespace"),
        ca_pem=_data_or_file(cluster, "certificate-authority", cluster_dir),
        insecure=bool(cluster.get("insecure-skip-tls-verify")),
        tls_server_name=cluster.get("tls-server-name"),
        user=user,
        base_dir=user_dir,
        home=home,
    )


def _kubeconfig_paths(env: Mapping[str, str]) -> list[Path]:
    if env.get("KUBECONFIG"):
        listed = [Path(p).expanduser() for p in env["KUBECONFIG"].split(os.pathsep) if p]
        return [p for p in dict.fromkeys(listed) if p.is_file()]
    home = Path(env["HOME"]) if env.get("HOME") else Path.home()
    default = home / ".kube" / "config"
    return [default] if default.is_file() else []


def _read(path: Path) -> dict[str, Any]:
    from platformctl.yamlfiles import load_yaml_file

    data = load_yaml_file(path, what="kubeconfig", error=ConfigError) or {}
    if not isinstance(data, dict):
        raise ConfigError(f"kubeconfig {path}: the top level must be a mapping")
    return data


def _merge(files: list[tuple[Path, dict[str, Any]]]) -> dict[str, Any]:
    merged: dict[str, Any] = {"current-context": None, "contexts": {}, "clusters": {}, "users": {}}
    for path, data in files:
        merged["current-context"] = merged["current-context"] or data.get("current-context")
        for section, inner in (("contexts", "context"), ("clusters", "cluster"), ("users", "user")):
            for entry in data.get(section) or []:
                if isinstance(entry, dict) and entry.get("name") and entry["name"] not in merged[section]:
                    merged[section][entry["name"]] = (entry.get(inner) or {}, path.parent)
    return merged


def _named(section: Mapping[str, Any], name: str | None, what: str, paths: list[Path]) -> tuple[Any, Path]:
    if name is None or name not in section:
        known = ", ".join(section) or "none"
        where = os.pathsep.join(map(str, paths))
        raise ConfigError(
            f"kubeconfig {where}: no {what} named {name!r} (known: {known})",
            hint="check 'kubectl config get-contexts'",
        )
    found: tuple[Any, Path] = section[name]
    return found


def _data_or_file(entry: Mapping[str, Any], key: str, base: Path) -> bytes | None:
    if entry.get(f"{key}-data"):
        try:
            return base64.b64decode(entry[f"{key}-data"], validate=True)
        except ValueError:
            raise ConfigError(f"kubeconfig: {key}-data is not valid base64") from None
    if entry.get(key):
        path = base / Path(entry[key]).expanduser()
        try:
            return path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"kubeconfig: cannot read {key} {path}: {exc.strerror}") from None
    return None


def _credentials(user: Mapping[str, Any], base: Path, context: str) -> Credentials:
    if user.get("exec"):
        return run_exec_plugin(user["exec"], base, context)
    token = user.get("token")
    if not token and user.get("tokenFile"):
        path = base / Path(user["tokenFile"]).expanduser()
        try:
            token = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise AuthError(f"cannot read the kubeconfig token file {path}: {exc.strerror}") from None
    try:
        cert = _data_or_file(user, "client-certificate", base)
        key = _data_or_file(user, "client-key", base)
    except ConfigError as exc:
        raise AuthError(exc.message) from None
    if user.get("auth-provider"):
        raise AuthError(
            f"kubeconfig context {context!r} uses a legacy auth-provider, which is not supported",
            hint="use an exec credential plugin (client.authentication.k8s.io/v1)",
        )
    return Credentials(token=token or None, cert_pem=cert, key_pem=key)


def run_exec_plugin(spec: Mapping[str, Any], base: Path, context: str) -> Credentials:
    """Run a client-go credential plugin and read its ``ExecCredential``.

    Raises:
        AuthError: the plugin is missing, fails, or prints something else.
    """
    api_version = spec.get("apiVersion")
    if api_version not in EXEC_API_VERSIONS:
        raise AuthError(
            f"kubeconfig exec plugin apiVersion {api_version!r} is not supported",
            hint=f"use one of: {', '.join(EXEC_API_VERSIONS)}",
        )
    command = str(spec.get("command") or "")
    if "/" in command and not Path(command).is_absolute():
        command = str(base / command)  # a relative path with a slash is relative to the kubeconfig
    env = dict(os.environ)
    env.update({e["name"]: e["value"] for e in spec.get("env") or [] if "name" in e})
    env["KUBERNETES_EXEC_INFO"] = json.dumps(
        {"apiVersion": api_version, "kind": "ExecCredential", "spec": {"interactive": False}}
    )
    try:
        proc = subprocess.run(
            [command, *map(str, spec.get("args") or [])],
            capture_output=True,
            text=True,
            env=env,
            stdin=subprocess.DEVNULL,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        hint = spec.get("installHint") or "install the credential plugin or fix the kubeconfig"
        reason = "timed out" if isinstance(exc, subprocess.TimeoutExpired) else "cannot be run"
        raise AuthError(
            f"kubeconfig exec plugin {command!r} {reason} (context {context})",
            hint=str(hint).strip().splitlines()[0],
        ) from None
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no message"])[-1][:200]
        raise AuthError(f"kubeconfig exec plugin {command!r} failed with exit {proc.returncode}: {last}")
    return _parse_exec_credential(proc.stdout, api_version, command)


def _parse_exec_credential(stdout: str, api_version: str, command: str) -> Credentials:
    try:
        doc = json.loads(stdout)
        status = doc["status"]
        if doc.get("apiVersion") != api_version or doc.get("kind") != "ExecCredential":
            raise ValueError
    except (ValueError, KeyError, TypeError):
        raise AuthError(
            f"kubeconfig exec plugin {command!r} did not print an ExecCredential of {api_version}"
        ) from None
    expiry = status.get("expirationTimestamp")
    cert, key = status.get("clientCertificateData"), status.get("clientKeyData")
    if not status.get("token") and not (cert and key):
        raise AuthError(f"kubeconfig exec plugin {command!r} returned neither a token nor a certificate")
    return Credentials(
        token=status.get("token") or None,
        cert_pem=cert.encode() if cert else None,
        key_pem=key.encode() if key else None,
        expires_at=datetime.fromisoformat(expiry.replace("Z", "+00:00")) if expiry else None,
    )


def _expired(creds: Credentials) -> bool:
    return creds.expires_at is not None and creds.expires_at <= datetime.now(UTC)


def _in_cluster(env: Mapping[str, str]) -> ClusterConfig:
    host, port = env["KUBERNETES_SERVICE_HOST"], env.get("KUBERNETES_SERVICE_PORT", "443")
    host = f"[{host}]" if ":" in host else host
    ca = IN_CLUSTER / "ca.crt"
    ns = IN_CLUSTER / "namespace"
    return ClusterConfig(
        context="in-cluster",
        server=f"https://{host}:{port}",
        namespace=ns.read_text().strip() if ns.is_file() else None,
        ca_pem=ca.read_bytes() if ca.is_file() else None,
        user={"tokenFile": str(IN_CLUSTER / "token")},
    )


def _load_cert_chain(ctx: Any, cert_pem: bytes, key_pem: bytes, home: Path | None, context: str) -> None:
    """Load a client certificate and key into ``ctx``; ssl reads them only from files.

    0600 files in a 0700 folder under ``<home>/tmp`` (not the shared system temp dir), removed
    as soon as they are loaded, whatever happened.

    Raises:
        AuthError: the certificate or the key is not usable PEM, or they do not match.
    """
    import ssl

    from platformctl.scratch import temporary_dir

    with temporary_dir(home, "kubeconfig") as folder:
        paths = []
        for name, data in (("cert.pem", cert_pem), ("key.pem", key_pem)):
            path = folder / name
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            paths.append(str(path))
        try:
            ctx.load_cert_chain(paths[0], paths[1])
        except ssl.SSLError as exc:
            raise AuthError(
                f"kubeconfig context {context!r}: the client certificate or key cannot be loaded "
                f"({exc.reason or 'not a PEM certificate and matching key'})",
                hint="check client-certificate(-data) and client-key(-data) of the context's user",
            ) from None
