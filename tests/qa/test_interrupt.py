"""Ctrl-C ends with exit 130 and one line, wherever it lands, even before the CLI is imported."""

from __future__ import annotations

import subprocess
import sys
import textwrap

ENTRY = "from platformctl.__main__ import main\nmain()\n"


def run_script(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script) + ENTRY, *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def test_ctrl_c_while_python_imports_the_cli(tmp_path):
    # Ctrl-C arrives as KeyboardInterrupt wherever Python is: here, inside an import.
    proc = run_script(
        """
        import sys

        class CtrlC:
            def find_spec(self, name, path=None, target=None):
                if name == "platformctl.cli.app":
                    raise KeyboardInterrupt

        sys.meta_path.insert(0, CtrlC())
    """,
        "--help",
    )
    assert proc.returncode == 130
    assert proc.stderr.strip() == "error: interrupted"
    assert proc.stdout == ""


def test_no_destructor_noise_after_ctrl_c(tmp_path):
    # Objects cut off by Ctrl-C (GitPython's config readers) fail in __del__ on the way out.
    proc = run_script(
        """
        import atexit
        import platformctl.scaffold.answers as answers

        class HalfBuilt:
            def __del__(self):
                raise AttributeError("'GitConfigParser' object has no attribute '_read_only'")

        keep = []
        atexit.register(keep.clear)

        def ctrl_c(name):
            keep.append(HalfBuilt())
            raise KeyboardInterrupt

        answers.validate_service_name = ctrl_c
    """,
        "new",
        "service",
        "svc",
    )
    assert proc.returncode == 130
    assert "Exception ignored" not in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == "error: interrupted"
