"""The golden-path catalog: bundled golden paths plus those named in the platform config.

A golden path is a folder with a copier ``copier.yml`` and a ``golden-path.yaml`` holding its
name, version, description, default environments and next steps.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from platformctl.errors import TemplateError, UsageError
from platformctl.scaffold.descriptor import Version

if TYPE_CHECKING:
    from platformctl.config import ConfiguredGoldenPath, Settings

METADATA_FILE = "golden-path.yaml"
COPIER_FILE = "copier.yml"
REQUIRED_QUESTIONS = ("service_name",)
NAME_PATTERN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"  # a golden path's name is a folder name: no '/', no '..'


class EnvironmentDefault(BaseModel):
    """A default environment a golden path gives every new service."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)
    environment_class: str = Field(alias="class")


class GoldenPathMetadata(BaseModel):
    """The shape of ``golden-path.yaml``."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    name: str = Field(pattern=NAME_PATTERN)
    version: Version
    description: str
    environments: dict[str, EnvironmentDefault] = Field(default_factory=dict)
    next_steps: list[str] = Field(default_factory=list)
    # Run inside a rendered service by `golden-path test --run-tests`.
    test_command: str | None = None
    # Declares that the golden path needs copier tasks, migrations or extensions (lint allows them).
    needs_trust: bool = False


@dataclass(frozen=True)
class Question:
    """One copier question, as far as platformctl needs to know it."""

    name: str
    type: str
    help: str
    default: Any
    choices: Any
    validator: str | None
    when: Any
    secret: bool

    @property
    def asked(self) -> bool:
        """False for derived questions (a literal false ``when:``), which are never asked nor set.

        A ``when:`` expression (Jinja) is evaluated against the answers as they are given
        (``scaffold/asking.py``): such a question is asked or not depending on them.
        """
        if isinstance(self.when, str) and "{" in self.when:
            return True
        from platformctl.scaffold.asking import cast_to_bool

        return cast_to_bool(self.when)

    @property
    def has_default(self) -> bool:
        """Whether the question can be answered without the user."""
        return self.default is not None

    def choice_values(self) -> list[Any] | None:
        """The allowed values, if the question has choices."""
        if self.choices is None:
            return None
        if isinstance(self.choices, dict):
            return list(self.choices.values())
        return [c[1] if isinstance(c, list | tuple) and len(c) == 2 else c for c in self.choices]


@dataclass(frozen=True)
class GoldenPath:
    """A loaded golden path: where it is, what it asks, whether its code may run."""

    name: str
    version: str
    description: str
    path: Path
    origin: str
    trusted: bool
    questions: tuple[Question, ...]
    metadata: GoldenPathMetadata

    def question(self, name: str) -> Question | None:
        """The question called ``name``, if any."""
        return next((q for q in self.questions if q.name == name), None)


def bundled_root() -> Path:
    """The folder of bundled golden paths: inside the wheel, or the checkout when developing."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "golden_paths"
    if packaged.is_dir():
        return packaged
    return here.parent.parent / "golden_paths"


def list_golden_paths(settings: Settings) -> list[GoldenPath]:
    """Every available golden path: bundled ones, then configured ones (which may shadow).

    For listing only: each is read from its ``golden-path.yaml`` alone, so its ``questions``
    are empty (parsing every ``copier.yml`` was most of the cost of a listing).
    """
    found: dict[str, GoldenPath] = {}
    root = bundled_root()
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        if (folder / COPIER_FILE).is_file():
            found[folder.name] = load_golden_path(
                folder, origin="bundled", trusted=True, name=folder.name, questions=False
            )
    for configured in settings.golden_paths.values():
        found[configured.name] = _load_configured(configured, settings.home, questions=False)
    return list(found.values())


def get_golden_path(settings: Settings, name: str) -> GoldenPath:
    """One golden path by name.

    Raises:
        UsageError: no golden path has that name (or it is not a name at all).
    """
    import re

    if not re.fullmatch(NAME_PATTERN, name):
        # A name is joined to the bundled folder, and bundled golden paths are trusted: a path
        # here would run any template on the machine as if it came with platformctl.
        from platformctl.names import check_name

        check_name("golden path", name, hint="see 'platformctl golden-path list'")
    if name in settings.golden_paths:
        return _load_configured(settings.golden_paths[name], settings.home)
    folder = bundled_root() / name
    if (folder / COPIER_FILE).is_file():
        return load_golden_path(folder, origin="bundled", trusted=True, name=name)
    names = sorted({*_bundled_names(), *settings.golden_paths})
    raise UsageError(
        f"no golden path named {name!r}",
        hint=f"choose one of: {', '.join(names)} (see 'platformctl golden-path list')",
    )


def _bundled_names() -> list[str]:
    root = bundled_root()
    return [p.name for p in root.iterdir() if (p / COPIER_FILE).is_file()] if root.is_dir() else []


def _load_configured(configured: ConfiguredGoldenPath, home: Path, *, questions: bool = True) -> GoldenPath:
    source = configured.source
    if configured.local_path is not None:
        folder = configured.local_path
        if not (folder / COPIER_FILE).is_file():
            raise TemplateError(
                f"golden path {configured.name!r} ({configured.origin}): no {COPIER_FILE} in {folder}",
                hint="fix 'path' in the platform config",
            )
        return load_golden_path(
            folder, origin=str(folder), trusted=source.trusted, name=configured.name, questions=questions
        )
    checkout = fetch_git_source(configured, home / "cache" / "golden-paths")
    folder = checkout / source.subdirectory if source.subdirectory else checkout
    if not (folder / COPIER_FILE).is_file():
        raise TemplateError(
            f"golden path {configured.name!r}: no {COPIER_FILE} in {source.git}"
            + (f" under {source.subdirectory}" if source.subdirectory else ""),
            hint="set 'subdirectory' to the folder that holds copier.yml",
        )
    return load_golden_path(
        folder,
        origin=f"{source.git}@{source.ref or 'HEAD'}",
        trusted=source.trusted,
        name=configured.name,
        questions=questions,
    )


def fetch_git_source(configured: ConfiguredGoldenPath, cache: Path) -> Path:
    """A checkout of a git golden path at its ref, cloned once into the cache."""
    import git

    source = configured.source
    if source.git is None:
        raise ValueError("not a git golden path source")
    key = hashlib.sha256(f"{source.git}\0{source.ref or ''}".encode()).hexdigest()[:16]
    target = cache / f"{configured.name}-{key}"
    if (target / ".git").is_dir():
        return target
    tmp = cache / f".{target.name}.partial"
    import shutil

    shutil.rmtree(tmp, ignore_errors=True)
    cache.mkdir(parents=True, exist_ok=True)
    from platformctl.gitsafe import clone_repo

    try:
        repo = clone_repo(source.git, tmp, no_checkout=source.ref is not None)
        if source.ref:
            repo.git.checkout(source.ref)
    except (git.GitCommandError, git.exc.UnsafeProtocolError, git.exc.UnsafeOptionError) as exc:
        # GitPython refuses remote helpers such as ext:: (they run commands) before git starts.
        shutil.rmtree(tmp, ignore_errors=True)
        detail = (getattr(exc, "stderr", "") or "").strip().splitlines()
        raise TemplateError(
            f"cannot fetch golden path {configured.name!r} from {source.git}"
            f"{' at ' + source.ref if source.ref else ''}: {detail[-1] if detail else exc}",
            hint="check the URL, the ref and your network or git credentials",
        ) from None
    tmp.rename(target)
    return target


def load_golden_path(
    folder: Path, *, origin: str, trusted: bool, name: str | None = None, questions: bool = True
) -> GoldenPath:
    """Read ``golden-path.yaml`` and the questions of ``copier.yml`` in ``folder``.

    ``name`` is the catalog name (the config key or the bundled folder); it wins over the name
    in ``golden-path.yaml`` so that a service records the name it can be found by again.
    ``questions=False`` (listing): ``copier.yml`` is not read and the questions are empty.

    Raises:
        TemplateError: a file is missing or invalid.
    """
    metadata = _read_metadata(folder)
    if not questions:
        return GoldenPath(
            name or metadata.name,
            metadata.version,
            metadata.description,
            folder,
            origin,
            trusted,
            (),
            metadata,
        )
    raw = _read_yaml(folder / COPIER_FILE)
    asked = tuple(_question(name, spec) for name, spec in raw.items() if not name.startswith("_"))
    names = {q.name for q in asked}
    missing = [q for q in REQUIRED_QUESTIONS if q not in names]
    if missing:
        raise TemplateError(
            f"{folder / COPIER_FILE}: missing the question(s) {', '.join(missing)}",
            hint="every golden path asks for service_name",
        )
    return GoldenPath(
        name or metadata.name,
        metadata.version,
        metadata.description,
        folder,
        origin,
        trusted,
        asked,
        metadata,
    )


def _read_metadata(folder: Path) -> GoldenPathMetadata:
    path = folder / METADATA_FILE
    if not path.is_file():
        raise TemplateError(
            f"{folder}: no {METADATA_FILE}",
            hint="a golden path needs golden-path.yaml with name, version, description",
        )
    try:
        return GoldenPathMetadata.model_validate(_read_yaml(path))
    except ValidationError as exc:
        from platformctl.config import describe_validation_error

        raise TemplateError(f"{path}: {describe_validation_error(exc, GoldenPathMetadata)}") from None


def _read_yaml(path: Path) -> dict[str, Any]:
    from platformctl.yamlfiles import load_yaml_file

    data = load_yaml_file(path, what="golden path file", error=TemplateError, remember=True)
    if not isinstance(data, dict):
        raise TemplateError(f"{path}: expected a mapping at the top level")
    return data


def _question(name: str, spec: Any) -> Question:
    if not isinstance(spec, dict):
        spec = {"default": spec}
    default = spec.get("default")
    qtype = spec.get("type") or _infer_type(default)
    return Question(
        name=name,
        type=qtype,
        help=str(spec.get("help") or ""),
        default=default,
        choices=spec.get("choices"),
        validator=spec.get("validator"),
        when=spec.get("when", True),
        secret=bool(spec.get("secret", False)),
    )


def _infer_type(default: Any) -> str:
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, int):
        return "int"
    if isinstance(default, float):
        return "float"
    if isinstance(default, str):
        return "str"
    return "yaml"
