"""The files behind the settings: which are read, and each one parsed and validated.

:func:`platformctl.config.load_settings` layers what these return; a variable's or a flag's
value is validated here too, so every problem is worded the same way (file, field, allowed).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformctl.config_keys import ENV_PREFIX, PROJECT_FILE_NAME
from platformctl.errors import ConfigError
from platformctl.files import user_config_dir

if TYPE_CHECKING:
    from platformctl.config_schema import PlatformConfig


def find_project_file(start: Path) -> Path | None:
    """The nearest ``platformctl.yaml`` in ``start`` or one of its parents."""
    for folder in (start, *start.parents):
        candidate = folder / PROJECT_FILE_NAME
        if candidate.is_file():
            return candidate
    return None


def config_files(
    config_file: Path | None, env: Mapping[str, str], cwd: Path
) -> tuple[list[Path], Path | None]:
    """The files to read, lowest precedence first (the user file, then the project file), and
    the project file when it was found by walking up rather than named by the user."""
    explicit = config_file or (Path(env[ENV_PREFIX + "CONFIG"]) if env.get(ENV_PREFIX + "CONFIG") else None)
    if explicit is not None and not explicit.is_file():
        via = "--config" if config_file else f"{ENV_PREFIX}CONFIG"
        problem = "is a directory" if explicit.is_dir() else "does not exist"
        raise ConfigError(
            f"config file {explicit} (from {via}) {problem}",
            hint="create it with 'platformctl config init', or fix the path",
        )
    user_file = user_config_dir(env) / "config.yaml"
    walked = None if explicit else find_project_file(cwd)
    layers = [user_file if user_file.is_file() else None, explicit or walked]
    files = list(dict.fromkeys(p for p in layers if p is not None))
    return files, (walked if walked is not None and walked != user_file else None)


def read_config_file(path: Path) -> PlatformConfig:
    """Parse and validate one ``platformctl.yaml``.

    Raises:
        ConfigError: unreadable, not YAML, not a mapping, or invalid fields.
    """
    from platformctl.yamlfiles import load_yaml_file

    data = load_yaml_file(
        path,
        what="config file",
        error=ConfigError,
        hint="fix it; 'platformctl config init' writes a valid example",
    )
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}: the top level must be a mapping of settings, not {type(data).__name__}",
            hint="see 'platformctl docs configuration'",
        )
    return validate(data, str(path))


def nest(data: Mapping[str, Any]) -> dict[str, Any]:
    """``{"http.timeout": 5}`` → ``{"http": {"timeout": 5}}`` (settings from variables and flags)."""
    nested: dict[str, Any] = {}
    for key, value in data.items():
        *parents, last = key.split(".")  # any depth: platform.argocd.project
        level = nested
        for part in parents:
            level = level.setdefault(part, {})
        level[last] = value
    return nested


def validate(data: Mapping[str, Any], origin: str) -> PlatformConfig:
    """``data`` (dotted or nested keys) validated as settings; errors name ``origin``."""
    from pydantic import ValidationError

    from platformctl.config_schema import PlatformConfig
    from platformctl.config_schema import describe_validation_error as describe

    try:
        return PlatformConfig.model_validate(nest(data))
    except ValidationError as exc:
        raise ConfigError(
            f"{origin}: {describe(exc, PlatformConfig)}",
            hint="see 'platformctl docs configuration' for every field",
        ) from None


def validate_flag(key: str, value: Any) -> PlatformConfig:
    """A setting given as a flag (``--provider``, ``--org``): errors name the flag, not a field."""
    from pydantic import ValidationError

    from platformctl.config_schema import PlatformConfig, describe_problem

    try:
        return PlatformConfig.model_validate(nest({key: value}))
    except ValidationError as exc:
        flag = "--" + key.rpartition(".")[2].replace("_", "-")
        problem = describe_problem(exc.errors()[0]).replace("Input should be", f"{value!r} should be", 1)
        raise ConfigError(
            f"{flag}: {problem}", hint=f"run the command with --help to see what {flag} takes"
        ) from None
