"""Real bare repositories served over git's smart HTTP protocol by ``git http-backend`` (CGI).

The fakes check the credentials themselves and pass the user on as ``REMOTE_USER`` (which
also enables ``git-receive-pack``, so pushes are real pushes into a real bare repository).
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import subprocess
from pathlib import Path

from tests.fakes.base import Request, Response

GIT_PATH = re.compile(
    r"^/(?P<repo>.+?)\.git/(?P<rest>info/refs|git-upload-pack|git-receive-pack|HEAD|objects/.*)$"
)


def basic_credentials(request: Request) -> tuple[str, str] | None:
    """``(user, password)`` of an ``Authorization: Basic`` header, else None."""
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user, password


def is_push(request: Request) -> bool:
    """Whether the request belongs to a push (receive-pack) rather than a fetch."""
    return request.raw_path.endswith("/git-receive-pack") or request.arg("service") == "git-receive-pack"


class GitHttpBackend:
    """Bare repositories under ``root`` (``root/<path>.git``), served by ``git http-backend``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def bare(self, path: str) -> Path:
        """The bare repository of ``path`` (``owner/name`` or ``group/sub/name``)."""
        return self.root / f"{path}.git"

    def create(self, path: str, default_branch: str = "main") -> Path:
        """A new empty bare repository."""
        bare = self.bare(path)
        bare.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["git", "init", "-q", "--bare", f"--initial-branch={default_branch}", str(bare)],
            check=True,
            env=self._env(),
        )
        return bare

    def head(self, path: str, branch: str) -> str | None:
        """The commit ``branch`` points to, or None."""
        proc = subprocess.run(
            ["git", "-C", str(self.bare(path)), "rev-parse", "--verify", "-q", f"refs/heads/{branch}"],
            capture_output=True,
            text=True,
            env=self._env(),
        )
        return proc.stdout.strip() or None

    def read_file(self, path: str, branch: str, file: str) -> str | None:
        """A file's text at ``branch``, or None."""
        proc = subprocess.run(
            ["git", "-C", str(self.bare(path)), "show", f"refs/heads/{branch}:{file}"],
            capture_output=True,
            text=True,
            env=self._env(),
        )
        return proc.stdout if proc.returncode == 0 else None

    def serve(self, request: Request, repo_path: str, user: str) -> Response:
        """Run ``git http-backend`` for one request of ``repo_path``."""
        if not self.bare(repo_path).is_dir():
            return Response(404, b"Repository not found.", {"Content-Type": "text/plain"})
        rest = request.raw_path.split(".git", 1)[1]
        env = {
            **self._env(),
            "GIT_PROJECT_ROOT": str(self.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "PATH_INFO": f"/{repo_path}.git{rest}",
            "REQUEST_METHOD": request.method,
            "QUERY_STRING": request.environ.get("QUERY_STRING", ""),
            "CONTENT_TYPE": request.headers.get("content-type", ""),
            "CONTENT_LENGTH": str(len(request.body)),
            "REMOTE_USER": user,
            "REMOTE_ADDR": "127.0.0.1",
        }
        if request.headers.get("git-protocol"):
            env["GIT_PROTOCOL"] = request.headers["git-protocol"]
        if request.headers.get("content-encoding"):
            env["HTTP_CONTENT_ENCODING"] = request.headers["content-encoding"]
        proc = subprocess.run(
            ["git", "http-backend"], input=request.body, env=env, capture_output=True, check=False
        )
        return _cgi_response(proc.stdout)

    def _env(self) -> dict[str, str]:
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.root),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
        }


def _cgi_response(output: bytes) -> Response:
    head, sep, body = output.partition(b"\r\n\r\n")
    if not sep:
        head, _, body = output.partition(b"\n\n")
    status, headers = 200, {}
    for line in head.decode("latin-1").splitlines():
        name, _, value = line.partition(":")
        if name.lower() == "status":
            status = int(value.strip().split()[0])
        elif name:
            headers[name.strip()] = value.strip()
    return Response(status, body, headers)
