"""Invalid track YAML files get a ValueError naming the file and the field."""

from __future__ import annotations

import re

import pytest

from simhops.scenario.scenario_builder import available_tracks


@pytest.mark.parametrize("text,message", [
    (b"name: t\nwaypoints: [[1, 0, 1]\n", r"is not valid YAML"),
    (b"name: t\nwaypoints: [[1, 0, 1]]\n\xff", r"is not UTF-8 text"),
    (b"- 1\n- 2\n", r"top level must be a mapping"),
    (b"name: t\n", r"missing key\(s\) \['waypoints'\]"),
    (b"name: t\nwaypoints: [[1, 0, 1]]\nwaypionts: []\n", r"unknown key\(s\) \['waypionts'\]"),
    (b"name: t\nwaypoints: [[1, 0, 1], [1, 0]]\n", r"waypoints must be"),
    (b"name: t\nwaypoints: [[1, 0, -1]]\n", r"Scenario\.waypoints must be at or above the ground"),
    (b"name: t\nwaypoints: [[9, 0, 1]]\n", r"Scenario\.waypoints must lie inside the dome"),
    (b"name: t\nwaypoints: [[1, 0, 1]]\nduration_s: -2\n", r"Scenario\.duration_s must be"),
    (b"name: t\nwaypoints: [[1, 0, 1]]\nstart_position_m: [0, 0]\n", r"start_position_m must be \[x, y, z\]"),
])
def test_bad_track_file_names_file_and_field(builder, tmp_path, text, message):
    path = tmp_path / "track.yaml"
    path.write_bytes(text)
    with pytest.raises(ValueError, match=rf"(?s)^track file {re.escape(str(path))}(: | ).*{message}"):
        builder.build_track(path)


def test_shipped_tracks_still_load(builder):
    for name in available_tracks():
        assert builder.build_track(name).n_waypoints >= 1


def test_missing_track_file_names_it(builder, tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.yaml"):
        builder.build_track(tmp_path / "nope.yaml")
