"""The ``--detect`` listing of git checkouts: from the index where every file is tracked, from
``git ls-files`` otherwise, and the same either way (real git, real repositories)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from platformctl import gitsafe
from platformctl.maturity import checkout
from platformctl.maturity.checkout import CheckoutTree, checkout_trees
from platformctl.maturity.gitdir import plain_config
from platformctl.maturity.gitindex import tracked_paths

REAL_GIT = shutil.which("git") or "git"
IDENTITY = (("NAME", "Test"), ("EMAIL", "test@example.com"))
FILES = {"README.md": "hi\n", "src/app.py": "x = 1\n", ".github/workflows/ci.yml": "on: push\n"}


def git(root: Path, *args: str) -> str:
    """Run the real git in ``root`` (the test's own, trusted repository)."""
    identity = {f"GIT_{who}_{what}": v for who in ("AUTHOR", "COMMITTER") for what, v in IDENTITY}
    done = subprocess.run(
        [REAL_GIT, "-c", "init.defaultBranch=main", "-c", "protocol.file.allow=always", *args],
        cwd=root,
        env={**os.environ, **identity},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0 or args[0] == "merge", done.stderr
    return done.stdout


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def repo(root: Path, files: dict[str, str] | None = None, *init: str) -> Path:
    """A repository at ``root`` with ``files`` committed."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", *init)
    write(root, FILES if files is None else files)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    return root


def oracle(root: Path) -> list[str]:
    """Today's listing: ``git ls-files`` (or the walk when git cannot say), filtered and sorted."""
    listed = checkout._git_files(root)
    return sorted(
        p for p in (listed if listed is not None else checkout._walk(root)) if not checkout._skipped(p)
    )


def outcome(listing: Callable[[], list[str]]) -> tuple[str, object]:
    try:
        return "listed", listing()
    except OSError as error:  # a name too long to stat fails both ways alike
        return "error", error.errno


# Each shape builds a checkout at the given folder and says whether the index alone answers.
def clean(root: Path) -> bool:
    repo(root)
    return True


def untracked(root: Path) -> bool:
    write(repo(root), {"notes.txt": "new\n"})
    return False


def ignored(root: Path) -> bool:
    repo(root, {".gitignore": "*.log\n", "a.txt": "a\n"})
    write(root, {"build.log": "x\n", "sub/debug.log": "y\n"})
    return False


def deleted(root: Path) -> bool:
    (repo(root) / "src" / "app.py").unlink()
    return True


def symlinks(root: Path) -> bool:
    repo(root)
    (root / "to-file").symlink_to("README.md")
    (root / "to-dir").symlink_to("src")
    (root / "broken").symlink_to("nowhere")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "links")
    return True


def untracked_symlinks(root: Path) -> bool:
    repo(root)
    (root / "to-dir").symlink_to("src")
    (root / "broken").symlink_to("nowhere")
    return True  # neither is a file: git lists them, the is_file filter drops them


def untracked_symlink_to_file(root: Path) -> bool:
    (repo(root) / "to-file").symlink_to("README.md")
    return False


def tracked_below_symlinked_dir(root: Path) -> bool:
    repo(root, {"a.txt": "a\n", "elsewhere/x.txt": "x\n"})
    sha = git(root, "hash-object", "elsewhere/x.txt").strip()
    git(root, "update-index", "--add", "--cacheinfo", f"100644,{sha},link/x.txt")
    (root / "link").symlink_to("elsewhere")
    return True  # link/x.txt is a file through the symlink, which the walk does not follow


def node_modules(root: Path) -> bool:
    repo(root, {"package.json": "{}\n", "node_modules/kept/index.js": "tracked\n"})
    write(root, {"node_modules/left/index.js": "untracked\n", "src/node_modules/x.js": "y\n"})
    return True


def nested_repository(root: Path) -> bool:
    repo(repo(root) / "inner", {"inner.txt": "i\n"})
    return False


def submodule(root: Path) -> bool:
    library = repo(root.parent / f"{root.name}-library", {"lib.txt": "l\n"})
    git(repo(root), "submodule", "add", "-q", str(library), "sub")
    git(root, "commit", "-q", "-m", "submodule")
    return False  # the submodule's checked-out files are not in this index: git decides


def gitlink(root: Path) -> bool:
    sha = git(repo(root), "rev-parse", "HEAD").strip()
    git(root, "update-index", "--add", "--cacheinfo", f"160000,{sha},sub")
    return True


def version_4(root: Path) -> bool:
    repo(root, {f"dir/{n}": n for n in ("aaa", "aab", "abc", "sub/c", "sub/d", "z")})
    git(root, "update-index", "--index-version", "4")
    return True


def version_3(root: Path) -> bool:
    write(repo(root), {"new.txt": "intent\n"})
    git(root, "add", "-N", "new.txt")
    assert (root / ".git" / "index").read_bytes()[4:8] == b"\0\0\0\3"
    return True


def split_index(root: Path) -> bool:
    git(repo(root), "update-index", "--split-index")
    return False


def sparse_checkout(root: Path) -> bool:
    repo(root, {"dir/a.txt": "a\n", "other/b.txt": "b\n", "top.txt": "t\n"})
    git(root, "sparse-checkout", "set", "dir")
    return True  # skip-worktree entries (extended flags) for other/


def sparse_index(root: Path) -> bool:
    repo(root, {"dir/a.txt": "a\n", "other/b.txt": "b\n", "top.txt": "t\n"})
    git(root, "sparse-checkout", "set", "--sparse-index", "dir")
    return False


def sha256(root: Path) -> bool:
    repo(root, None, "--object-format=sha256")
    return False


def skip_hash(root: Path) -> bool:
    repo(root)
    write(root, {"more.txt": "m\n"})
    git(root, "add", "more.txt")
    git(root, "-c", "index.skipHash=true", "commit", "-q", "-m", "more")
    index = root / ".git" / "index"  # git before 2.40 ignores skipHash: write the zeros ourselves
    index.write_bytes(index.read_bytes()[:-20] + bytes(20))
    return True


def merge_conflict(root: Path) -> bool:
    repo(root, {"a.txt": "base\n", "b.txt": "b\n"})
    git(root, "checkout", "-q", "-b", "other")
    write(root, {"a.txt": "other\n"})
    git(root, "commit", "-q", "-am", "other")
    git(root, "checkout", "-q", "main")
    write(root, {"a.txt": "main\n"})
    git(root, "commit", "-q", "-am", "main")
    git(root, "merge", "-q", "other")  # conflicts: stages 1-3 of a.txt
    return False


def worktree(root: Path) -> bool:
    main = repo(root.parent / f"{root.name}-main")
    git(main, "worktree", "add", "-q", str(root), "-b", "wt")
    return False


def empty(root: Path) -> bool:
    root.mkdir()
    git(root, "init", "-q")
    return True


def empty_with_files(root: Path) -> bool:
    empty(root)
    write(root, {"a.txt": "a\n"})
    return False


def long_paths(root: Path) -> bool:
    sha = git(repo(root), "hash-object", "README.md").strip()
    long = "/".join(["d" * 250] * 17) + "/f.txt"  # over 0xFFF bytes: the name length flag saturates
    git(root, "update-index", "--add", "--cacheinfo", f"100644,{sha},{long}")
    assert long in (tracked_paths(root) or ())
    git(root, "update-index", "--index-version", "4")
    assert long in (tracked_paths(root) or ())
    return True


def non_utf8_name(root: Path) -> bool:
    repo(root)
    (root / os.fsdecode(b"caf\xe9.txt")).write_text("x\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "latin-1")
    return False


def non_utf8_untracked(root: Path) -> bool:
    (repo(root) / os.fsdecode(b"caf\xe9.txt")).write_text("x\n")
    return False


def hostile_config(root: Path) -> bool:
    repo(root)
    with (root / ".git" / "config").open("a") as config:
        config.write("[core]\n\tworktree = /\n")
    return False


def malformed_config(root: Path) -> bool:
    repo(root)
    with (root / ".git" / "config").open("a") as config:
        config.write("[core]\n\tfilemode = banana\n")  # git fails: the listing is a walk
    write(root, {"build/out.o": "o\n", "x.log": "l\n"})
    return False


def bare_config(root: Path) -> bool:
    git(repo(root), "config", "core.bare", "true")
    return False


def symlinked_git_dir(root: Path) -> bool:
    repo(root)
    (root / ".git").rename(root.parent / f"{root.name}.git")
    (root / ".git").symlink_to(root.parent / f"{root.name}.git")
    return False  # never followed: git decides


def index_symlink_to_file(root: Path) -> bool:
    index = repo(root) / ".git" / "index"
    index.rename(root.parent / f"{root.name}.index")
    index.symlink_to(root.parent / f"{root.name}.index")
    return False


SHAPES = [
    clean,
    untracked,
    ignored,
    deleted,
    symlinks,
    untracked_symlinks,
    untracked_symlink_to_file,
    tracked_below_symlinked_dir,
    node_modules,
    nested_repository,
    submodule,
    gitlink,
    version_4,
    version_3,
    split_index,
    sparse_checkout,
    sparse_index,
    sha256,
    skip_hash,
    merge_conflict,
    worktree,
    empty,
    empty_with_files,
    long_paths,
    non_utf8_name,
    non_utf8_untracked,
    hostile_config,
    malformed_config,
    bare_config,
    symlinked_git_dir,
    index_symlink_to_file,
]


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: s.__name__)
def test_the_listing_is_gits_for_every_shape(tmp_path: Path, shape: Callable[[Path], bool]) -> None:
    root = tmp_path / "clones" / "repo"
    root.parent.mkdir()
    from_index = shape(root)
    repo(tmp_path / "clones" / "sibling")  # two clones: the concurrent listing runs

    assert (checkout._index_listing(root) is not None) is from_index
    expected = outcome(lambda: oracle(root))
    assert outcome(lambda: CheckoutTree(root, "repo").paths()) == expected
    trees = {t.name: t for t in checkout_trees([tmp_path / "clones"])}
    assert trees["repo"].paths() == expected[1]
    assert (tmp_path / "clones" / "sibling" / ".git" / "index").exists()


def test_a_name_too_long_to_look_up_is_left_out(tmp_path: Path) -> None:
    """stat() of a tracked name over PATH_MAX fails (ENAMETOOLONG): the scan goes on without it."""
    long_paths(tmp_path / "repo")
    write(tmp_path / "repo", {"untracked.txt": "u\n"})  # and through git ls-files too
    assert CheckoutTree(tmp_path / "repo", "repo").paths() == sorted([*FILES, "untracked.txt"])
    git(tmp_path / "repo", "add", "untracked.txt")
    assert checkout._index_listing(tmp_path / "repo") == sorted([*FILES, "untracked.txt"])


def planted_index(names: list[str]) -> bytes:
    """A version 2 index naming ``names`` (sorted), as a hostile clone could carry it."""
    import hashlib
    import struct

    body = struct.pack(">4sII", b"DIRC", 2, len(names))
    for name in sorted(n.encode() for n in names):
        entry = bytes(24) + struct.pack(">I", 0o100644) + bytes(12) + bytes(20)
        entry += struct.pack(">H", min(len(name), 0xFFF)) + name
        body += entry + bytes(8 - len(entry) % 8)
    return body + hashlib.sha1(body, usedforsecurity=False).digest()


@pytest.mark.parametrize("untracked_file", [False, True], ids=["index", "git"])
def test_a_planted_index_naming_files_outside_the_checkout_lists_none_of_them(
    tmp_path: Path, untracked_file: bool
) -> None:
    root = repo(tmp_path / "repo")
    (tmp_path / "outside.txt").write_text("secret\n")
    outside = [str(tmp_path / "outside.txt"), "../outside.txt", "src/../../outside.txt", "./README.md"]
    index = root / ".git" / "index"
    index.unlink()
    index.write_bytes(planted_index([*FILES, *outside]))
    assert tracked_paths(root) == {*FILES, *outside}  # git's index format allows them
    if untracked_file:
        write(root, {"untracked.txt": "u\n"})
        assert "../outside.txt" in git(root, "ls-files", "-z", "--cached").split("\0")  # git lists it
    listed = CheckoutTree(root, "repo").paths()
    assert listed == sorted([*FILES, *(["untracked.txt"] if untracked_file else [])])


def test_a_git_kept_waiting_is_given_up_and_the_folder_walked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A FIFO as .git/HEAD keeps git ls-files waiting for ever; the listing is then the walk."""
    root = repo(tmp_path / "repo")
    head = root / ".git" / "HEAD"
    head.unlink()
    os.mkfifo(head)
    monkeypatch.setattr(checkout, "GIT_LIST_TIMEOUT", 1.0)
    assert within(30, lambda: CheckoutTree(root, "repo").paths()) == sorted(FILES)


RANDOM_FILES = st.dictionaries(
    st.sampled_from(["a.txt", "b/c.txt", "b/d/e.txt", "node_modules/m.js", "build.log", "f.log", "g/h.log"]),
    st.sampled_from(["tracked", "untracked", "deleted"]),
    min_size=1,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=RANDOM_FILES, ignore_logs=st.booleans())
def test_random_trees_list_as_git_does(
    tmp_path_factory: pytest.TempPathFactory, files: dict[str, str], ignore_logs: bool
) -> None:
    root = tmp_path_factory.mktemp("tree")
    git(root, "init", "-q")
    write(root, {".gitignore": "*.log\n"} if ignore_logs else {})
    write(root, dict.fromkeys(files, "x\n"))
    for path, state in files.items():
        if state != "untracked":
            git(root, "add", "-f", path)
    for path, state in files.items():
        if state == "deleted":
            (root / path).unlink()
    assert CheckoutTree(root, "t").paths() == oracle(root)


def git_counter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ``git`` first on PATH that notes each run in a file, then runs the real one."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "git-runs"
    log.touch()
    wrapper = bin_dir / "git"
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> {log}\nexec {REAL_GIT} "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    assert gitsafe.git_executable() == str(wrapper)
    return log


def test_a_folder_of_clean_clones_runs_no_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for index in range(5):
        repo(tmp_path / "clones" / f"svc-{index}")
    expected = {f"svc-{i}": oracle(tmp_path / "clones" / f"svc-{i}") for i in range(5)}
    log = git_counter(tmp_path, monkeypatch)

    assert {t.name: t.paths() for t in checkout_trees([tmp_path / "clones"])} == expected
    assert log.read_text() == ""

    write(tmp_path / "clones" / "svc-3", {"untracked.txt": "u\n"})
    trees = {t.name: t.paths() for t in checkout_trees([tmp_path / "clones"])}
    assert trees["svc-3"] == [*expected["svc-3"], "untracked.txt"]
    assert log.read_text().splitlines() == ["ls-files -z --cached --others --exclude-standard"]


def test_a_single_clean_checkout_runs_no_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = repo(tmp_path / "svc")
    log = git_counter(tmp_path, monkeypatch)
    assert [t.paths() for t in checkout_trees([root])] == [
        [".github/workflows/ci.yml", "README.md", "src/app.py"]
    ]
    assert log.read_text() == ""


def corrupt(index: Path, change: Callable[[bytes], bytes]) -> None:
    data = index.read_bytes()
    index.unlink()
    index.write_bytes(change(data))


def fifo(index: Path) -> None:
    index.unlink()
    os.mkfifo(index)


def dev_zero(index: Path) -> None:
    index.unlink()
    index.symlink_to("/dev/zero")


def folder(index: Path) -> None:
    index.unlink()
    index.mkdir()


HOSTILE: dict[str, Callable[[Path], None]] = {
    "fifo": fifo,
    "symlink to /dev/zero": dev_zero,
    "folder": folder,
    "truncated": lambda index: corrupt(index, lambda data: data[: len(data) // 2]),
    "huge entry count": lambda index: corrupt(index, lambda data: data[:8] + b"\x7f\xff\xff\xff" + data[12:]),
    "corrupt checksum": lambda index: corrupt(index, lambda data: data[:-1] + bytes([data[-1] ^ 1])),
}


def within(seconds: float, call: Callable[[], object]) -> object:
    """``call()``, failing the test (not hanging it) when it takes longer than ``seconds``."""
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=1)
    try:
        return pool.submit(call).result(timeout=seconds)
    finally:
        pool.shutdown(wait=False)


@pytest.mark.parametrize("plant", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_index_gets_gits_answer_or_the_walk(tmp_path: Path, plant: Callable[[Path], None]) -> None:
    root = repo(tmp_path / "repo")
    write(root, {"untracked.txt": "u\n"})
    plant(root / ".git" / "index")

    assert within(30, lambda: tracked_paths(root)) is None
    listed = within(30, lambda: CheckoutTree(root, "repo").paths())
    assert listed == within(30, lambda: oracle(root))
    assert isinstance(listed, list)
    assert set(listed) >= {"README.md", "src/app.py", ".github/workflows/ci.yml", "untracked.txt"}


def test_a_clean_clone_with_a_hostile_index_gets_the_same(tmp_path: Path) -> None:
    """No untracked file: the walk would be a subset of anything, so the index must say None."""
    for name, plant in HOSTILE.items():
        root = repo(tmp_path / name.replace(" ", "-").replace("/", ""))
        plant(root / ".git" / "index")
        assert within(30, lambda root=root: CheckoutTree(root, "r").paths()) == within(
            30, lambda root=root: oracle(root)
        )


PLAIN = (
    "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n\tlogallrefupdates = true\n"
)
CONFIGS = {
    PLAIN
    + '[remote "origin"]\n\turl = https://h/x.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n': True,
    PLAIN + '[branch "main"]\n\tremote = origin ; a comment\n': True,
    "[extensions]\n\tworktreeConfig = true\n": True,
    "": True,
    "[core]\n\tbare\n": False,
    "[core]\n\tbare = true\n": False,
    "[core]\n\tworktree = /\n": False,
    "[core] bare = false\n": False,
    "[core]\n\tfilemode = banana\n": False,
    "[extensions]\n\tobjectFormat = sha256\n": False,
    "[include]\n\tpath = other\n": False,
    '[includeIf "gitdir:/"]\n\tpath = other\n': False,
    '[remote "o"]\n\turl = "unterminated\n': False,
    "[core]\n\tbare = \\\n\ttrue\n": False,
    "key = outside any section\n": False,
}


@pytest.mark.parametrize(("text", "plain"), CONFIGS.items())
def test_only_a_plain_clones_config_lets_the_index_answer(text: str, plain: bool) -> None:
    assert plain_config(text.encode()) is plain


def test_a_hostile_config_line_is_read_in_linear_time() -> None:
    line = '[remote "o"]\nurl =' + " " * 60_000 + '"\n'
    assert within(5, lambda: plain_config(line.encode())) is False


def test_a_detector_reads_only_regular_files_inside_the_checkout(tmp_path: Path) -> None:
    root = repo(tmp_path / "repo")
    (tmp_path / "secret.txt").write_text("outside\n")
    (root / "leak.yml").symlink_to(tmp_path / "secret.txt")  # a symlink out of the checkout
    (root / "inside.md").symlink_to("README.md")  # one that stays inside
    os.mkfifo(root / "Dockerfile")  # opening it for reading would wait for a writer for ever
    tree = CheckoutTree(root, "repo")
    assert within(30, lambda: tree.read_text("leak.yml")) is None
    assert within(30, lambda: tree.read_text("Dockerfile")) is None
    assert tree.read_text("inside.md") == "hi\n"
    assert tree.read_text("README.md") == "hi\n"


def test_a_folder_that_is_no_repository_lists_its_files_but_no_fifo(tmp_path: Path) -> None:
    write(tmp_path / "plain", {"README.md": "x\n", "src/app.py": "y\n", "node_modules/m.js": "z\n"})
    os.mkfifo(tmp_path / "plain" / "Dockerfile")
    (tmp_path / "plain" / "broken").symlink_to("nowhere")
    assert CheckoutTree(tmp_path / "plain", "plain").paths() == ["README.md", "src/app.py"]
