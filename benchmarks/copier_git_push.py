"""The hand-rolled equivalent of ``new service`` on the local provider, as a baseline.

copier copy --defaults, git init/add/commit, a bare repository, push: what a platform team
would script without platformctl.
"""

import subprocess
import sys
from pathlib import Path


def main(golden: str, name: str, bare_root: str) -> None:
    """Render ``golden`` into ``name``, commit it and push it to ``bare_root/name.git``."""
    copier = [sys.executable, "-m", "copier", "copy", "--defaults", "--trust", "--quiet", "-d"]
    subprocess.run([*copier, f"service_name={name}", golden, name], check=True)
    git = ["git", "-C", name]
    subprocess.run(["git", "init", "-q", "-b", "main", name], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "Initial commit"], check=True)
    bare = Path(bare_root) / f"{name}.git"
    bare.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    subprocess.run([*git, "push", "-q", str(bare), "main"], check=True)


if __name__ == "__main__":
    main(*sys.argv[1:4])
