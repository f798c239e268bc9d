"""The segment settings of the definitions: defaults, and errors naming line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from tenure.config import ConfigError, load_settings


def test_behaviour_thresholds_default_and_load(tmp_path: Path) -> None:
    (tmp_path / "tenure.yaml").write_text(
        "definitions:\n  behaviour: {inactive_days: 30}\n"
        "  growth_potential: {attribute: seats, arr_per_unit: 500}\n"
    )
    definitions = load_settings(tmp_path).definitions
    assert definitions.behaviour.inactive_days == 30
    assert definitions.behaviour.seasonal_share == 0.7
    assert definitions.growth_potential is not None
    assert definitions.growth_potential.weight == 0.5


@pytest.mark.parametrize(
    ("section", "field"),
    [
        ("growth_potential: {attribute: seats, arr_per_unit: 0}", "arr_per_unit"),
        ("growth_potential: {attribute: seats, arr_per_unit: 5, weight: 2}", "weight"),
        ("behaviour: {underperformer_ratio: 1.5}", "underperformer_ratio"),
        ("behaviour: {season_months: 12}", "season_months"),
        ("behaviour: {loyal_scor: 4}", "loyal_scor"),
    ],
)
def test_invalid_segment_settings_name_line_and_field(
    tmp_path: Path, section: str, field: str
) -> None:
    (tmp_path / "tenure.yaml").write_text(f"name: x\ndefinitions:\n  {section}\n")
    with pytest.raises(ConfigError, match=rf"tenure.yaml:3: field 'definitions\.\w+\.{field}'"):
        load_settings(tmp_path)
