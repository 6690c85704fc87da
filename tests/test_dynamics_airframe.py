"""Airframe data files: shipped YAML validated by the schema, user files, sources cited for every value."""

from __future__ import annotations

import re

import pytest
import yaml

from simhops.config import load_config
from simhops.config.schema import AirframeSpec, airframe_names as schema_names, validate_airframe_file
from simhops.dynamics.physics.airframe import AIRFRAME_DIR, Airframe, airframe_names, load_airframe
from simhops.dynamics.physics.physics_params import PhysicsParams


def test_shipped_airframes_are_listed_and_valid():
    assert {"cf2x", "cf2x_L250"} <= set(airframe_names())
    assert schema_names() == airframe_names()
    for name in airframe_names():
        spec = validate_airframe_file(AIRFRAME_DIR / f"{name}.yaml")
        af = load_airframe(name)
        assert spec.name == af.name == name
        assert tuple(spec.inertia_kg_m2) == af.inertia_kg_m2
        assert spec.max_motor_thrust_n == af.max_motor_thrust_n
        assert af.thrust_to_weight > 1.2


def test_every_shipped_value_cites_a_source():
    """Each top-level key (except name/description) is preceded by a comment block with a unit and a source."""
    for name in airframe_names():
        lines = (AIRFRAME_DIR / f"{name}.yaml").read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            m = re.match(r"^([a-z_0-9]+):", line)
            if not m or m.group(1) in ("name", "description"):
                continue
            j = i - 1
            block = []
            while j >= 0 and lines[j].startswith("#"):
                block.append(lines[j])
                j -= 1
            text = " ".join(block)
            assert block, f"{name}.yaml: {m.group(1)} has no source comment"
            assert re.search(r"\[[^\]]+\]", text), f"{name}.yaml: {m.group(1)} comment gives no unit"
            assert re.search(r"firmware|urdf|params\.toml|crazyflie\.h|Förster|drone-models|L2F", text), \
                f"{name}.yaml: {m.group(1)} comment names no source"


def test_l250_variant_differs_as_documented():
    cf, l250 = load_airframe("cf2x"), load_airframe("cf2x_L250")
    assert l250.mass_kg == 0.0319 and l250.mass_kg > cf.mass_kg
    assert l250.thrust_to_weight == pytest.approx(4 * 0.12 / (0.0319 * 9.81))
    assert l250.drag_n_s_m[0] > 2 * cf.drag_n_s_m[0]
    assert l250.motor_tau_up_s == pytest.approx(1 / 7.355623702172756)


def test_config_accepts_a_name_or_a_user_file(tmp_path):
    cfg = load_config(None, ["physics.airframe=cf2x_L250"])
    assert PhysicsParams.from_config(cfg).airframe.name == "cf2x_L250"
    data = yaml.safe_load((AIRFRAME_DIR / "cf2x.yaml").read_text())
    data.update(name="my_quad", mass_kg=0.03)
    path = tmp_path / "my_quad.yaml"
    path.write_text(yaml.safe_dump(data))
    cfg = load_config(None, [f"physics.airframe={path}"])
    af = PhysicsParams.from_config(cfg).airframe
    assert af.name == "my_quad" and af.mass_kg == 0.03


@pytest.mark.parametrize("change, field", [({"mass_kg": -1.0}, "mass_kg"), ({"max_motor_thrust_n": 0.05}, "max_motor_thrust_n"),
                                           ({"inertia_kg_m2": [1e-5, 1e-5]}, "inertia_kg_m2"), ({"bogus": 1}, "bogus")])
def test_bad_airframe_file_is_rejected_naming_the_field(tmp_path, change, field):
    data = yaml.safe_load((AIRFRAME_DIR / "cf2x.yaml").read_text())
    data.update(change)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ValueError, match=field):
        load_config(None, [f"physics.airframe={path}"])
    with pytest.raises(ValueError, match=field):
        Airframe.from_yaml(path)
    with pytest.raises(ValueError, match=field):
        AirframeSpec.model_validate(data)


def test_unknown_airframe_name_lists_the_shipped_ones():
    with pytest.raises(ValueError, match="cf2x_L250"):
        load_config(None, ["physics.airframe=cf3"])
    with pytest.raises(ValueError, match="cf2x"):
        load_airframe("cf3")
