"""Settings: tenure.yaml, TENURE_* variables, and errors that point at the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tenure.config import ConfigError, load_settings


def write_config(folder: Path, text: str) -> Path:
    (folder / "tenure.yaml").write_text(text, encoding="utf-8")
    return folder


def test_defaults_put_both_databases_in_the_workspace(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    assert settings.resolved_warehouse_url == f"duckdb:///{tmp_path.resolve()}/warehouse.duckdb"
    assert settings.resolved_app_db_url == f"sqlite:///{tmp_path.resolve()}/app.db"


def test_relative_paths_are_relative_to_the_workspace(tmp_path: Path) -> None:
    write_config(tmp_path, "warehouse_url: duckdb:///facts/w.duckdb\n")
    url = load_settings(tmp_path).resolved_warehouse_url
    assert url == f"duckdb:///{tmp_path.resolve()}/facts/w.duckdb"


def test_environment_variables_override_the_file(tmp_path, monkeypatch) -> None:
    write_config(tmp_path, "name: From file\ngross_margin: 0.7\n")
    monkeypatch.setenv("TENURE_NAME", "From env")
    monkeypatch.setenv("TENURE_APP_DB_URL", "postgresql://u@h/db")
    settings = load_settings(tmp_path)
    assert settings.name == "From env"
    assert settings.resolved_app_db_url == "postgresql://u@h/db"
    assert settings.gross_margin == 0.7


def test_an_invalid_value_names_the_file_line_field_and_reason(tmp_path: Path) -> None:
    write_config(tmp_path, "name: Acme\ncurrency: USD\ngross_margin: 1.5\n")
    with pytest.raises(ConfigError) as error:
        load_settings(tmp_path)
    message = str(error.value)
    assert f"{tmp_path / 'tenure.yaml'}:3" in message
    assert "field 'gross_margin'" in message
    assert "less than or equal to 1" in message


def test_a_misspelled_setting_is_refused(tmp_path: Path) -> None:
    write_config(tmp_path, "name: Acme\nwarehouse_ulr: duckdb://\n")
    with pytest.raises(ConfigError, match=r"tenure.yaml:2: field 'warehouse_ulr': Extra inputs"):
        load_settings(tmp_path)


def test_a_nested_error_points_at_its_line(tmp_path: Path) -> None:
    write_config(tmp_path, "definitions:\n  milestones: []\n  lifecycle: not-a-list\n")
    with pytest.raises(ConfigError, match=r"tenure.yaml:3: field 'definitions.lifecycle'"):
        load_settings(tmp_path)


def test_broken_yaml_is_reported_as_such(tmp_path: Path) -> None:
    write_config(tmp_path, "name: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_settings(tmp_path)


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    write_config(tmp_path, "- just\n- a list\n")
    with pytest.raises(ConfigError, match="expected a mapping"):
        load_settings(tmp_path)
