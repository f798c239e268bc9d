"""Workspace settings: `tenure.yaml`, overridden by `TENURE_*` environment variables.

Environment variables win over the file (e.g. `TENURE_WAREHOUSE_URL`,
`TENURE_APP_DB_URL`), so a deployment can point a workspace elsewhere without
editing it. An invalid setting fails with the file, the line, the field and the
reason: see `ConfigError`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from tenure.definitions import Definitions

CONFIG_FILE = "tenure.yaml"


class ConfigError(ValueError):
    """A workspace's configuration is invalid; the message says where and why."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SmtpSettings(_Section):
    """The SMTP server alerts are sent through; the password comes from the environment."""

    host: str
    port: int = Field(default=25, ge=1, le=65535)
    from_address: str = Field(min_length=3)
    username: str | None = None
    password_env: str | None = Field(default=None, description="variable holding the password")
    starttls: bool = False


class SlackTarget(_Section):
    """A Slack incoming webhook; its URL is a secret, so it comes from the environment."""

    name: str
    url_env: str = Field(description="variable holding the incoming-webhook URL")


class WebhookTarget(_Section):
    """A generic webhook, signed per Standard Webhooks with the secret in `secret_env`."""

    name: str
    url: str
    secret_env: str = Field(description="variable holding the whsec_... signing secret")


class AlertSettings(_Section):
    smtp: SmtpSettings | None = None
    slack: list[SlackTarget] = Field(default_factory=list)
    webhooks: list[WebhookTarget] = Field(default_factory=list)
    retry_attempts: int = Field(default=5, ge=1, description="tries per message in all")
    retry_base_seconds: float = Field(default=2.0, ge=0, description="backoff: base × 2^n")
    digest_hour: int = Field(default=7, ge=0, le=23, description="UTC hour of the daily digest")


class Settings(BaseSettings):
    """Everything a workspace can set. Paths in URLs are relative to the workspace."""

    model_config = SettingsConfigDict(env_prefix="TENURE_", extra="forbid")

    workspace: Path = Field(default=Path("."), description="the workspace folder")
    name: str = Field(default="Tenure", description="the company or workspace name")
    warehouse_url: str | None = Field(
        default=None, description="Ibis URL of the warehouse; default: warehouse.duckdb"
    )
    app_db_url: str | None = Field(
        default=None, description="SQLAlchemy URL of the app database; default: app.db (SQLite)"
    )
    currency: str = Field(default="USD", min_length=3, max_length=3)
    gross_margin: float = Field(default=0.8, gt=0, le=1, description="for CLV")
    definitions: Definitions = Field(default_factory=Definitions)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    run_every_minutes: int = Field(default=60, ge=1, description="the in-process scheduler")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment first: it overrides what the file (passed as init) says.
        return env_settings, init_settings

    @property
    def data_dir(self) -> Path:
        return self.workspace / "data"

    @property
    def quarantine_dir(self) -> Path:
        return self.data_dir / "quarantine"

    @property
    def generated_dir(self) -> Path:
        return self.data_dir / "generated"

    @property
    def resolved_warehouse_url(self) -> str:
        return _resolve(self.warehouse_url, "duckdb", self.workspace / "warehouse.duckdb")

    @property
    def resolved_app_db_url(self) -> str:
        return _resolve(self.app_db_url, "sqlite", self.workspace / "app.db")


def _resolve(url: str | None, scheme: str, default_file: Path) -> str:
    """Fill in the default file and make a relative file path absolute."""
    if url is None:
        return f"{scheme}:///{default_file.resolve()}"
    prefix = f"{scheme}:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and len(url) > len(prefix):
        return f"{prefix}{(default_file.parent / url[len(prefix) :]).resolve()}"
    return url


def load_settings(workspace: Path | str = ".") -> Settings:
    """Read `tenure.yaml` in `workspace` (if present) and the environment."""
    workspace = Path(workspace)
    path = workspace / CONFIG_FILE
    data: dict[str, Any] = {}
    text = ""
    if path.exists():
        text = path.read_text(encoding="utf-8")
        try:
            loaded = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML: {exc}") from None
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError(f"{path}: expected a mapping of settings at the top level")
        data = loaded or {}
    try:
        return Settings(**{**data, "workspace": workspace})
    except ValidationError as exc:
        raise ConfigError(_describe(exc, path, text)) from None


def _describe(exc: ValidationError, path: Path, text: str) -> str:
    lines = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        where = _line_of(text, loc) if text else None
        at = f"{path}:{where}" if where else str(path)
        field = ".".join(loc)
        lines.append(f"{at}: field '{field}': {error['msg']}")
    return "invalid configuration\n" + "\n".join(lines)


def _line_of(text: str, loc: list[str]) -> int | None:
    """The 1-based line of the YAML node at `loc`, or of its nearest parent."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return None
    line = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == part), None)
            key = next((k for k, _ in node.value if k.value == part), None)
            if match is None:
                break
            line, node = key.start_mark.line + 1 if key else line, match
        elif isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
            node = node.value[int(part)]
            line = node.start_mark.line + 1
        else:
            break
    return line
