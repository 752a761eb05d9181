"""Settings: read from the environment in one place, and every one of them documented."""
from __future__ import annotations

from pathlib import Path

import pytest

from registry.config import SETTINGS, load_settings, resolve_instance

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_setting_is_in_the_readme():
    text = README.read_text(encoding="utf-8")
    missing = [s.name for s in SETTINGS if f"`GOVCAT_{s.name}`" not in text]
    assert not missing


def test_values_are_parsed_and_defaults_fill_in(tmp_path):
    config = load_settings({"GOVCAT_PAGE_SIZE_MAX": "20", "GOVCAT_SQL_ECHO": "yes", "GOVCAT_INSTANCE": str(tmp_path)})
    assert config["GOVCAT_PAGE_SIZE_MAX"] == 20 and config["GOVCAT_SQL_ECHO"] is True
    resolve_instance(config)
    assert config["GOVCAT_DATABASE_URL"] == f"sqlite:///{tmp_path / 'govcat.db'}"
    key = config["GOVCAT_SECRET_KEY"]
    again = load_settings({"GOVCAT_INSTANCE": str(tmp_path)})
    resolve_instance(again)
    assert again["GOVCAT_SECRET_KEY"] == key and len(key) == 64


@pytest.mark.parametrize("key, value, says", [
    ("GOVCAT_HARVEST_DENY", "10.8.0.0/16, intranet", "'intranet' is not an IP network"),
    ("GOVCAT_HARVEST_ALLOW", "169.254.10.0/33", "is not an IP network"),
    ("GOVCAT_PAGE_SIZE_MAX", "many", "invalid literal")])
def test_a_setting_that_cannot_be_read_stops_the_start_and_names_itself(key, value, says):
    with pytest.raises(ValueError) as error:
        load_settings({key: value})
    assert str(error.value).startswith(f"{key}: ") and says in str(error.value)


def test_network_lists_are_kept_as_written():
    assert load_settings({"GOVCAT_HARVEST_DENY": "10.8.0.0/16, fd00::/8"})["GOVCAT_HARVEST_DENY"] == "10.8.0.0/16, fd00::/8"
