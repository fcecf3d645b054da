"""WGS84 / GCJ-02 / BD-09 conversions checked against published vectors and properties."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Polygon

from geo.core.coords import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    convert,
    convert_coords,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    gcj02_to_wgs84_coords,
    is_in_china,
    wgs84_to_bd09,
    wgs84_to_gcj02,
    wgs84_to_gcj02_coords,
)

# ----------------------------------------------------------------- published vectors
# All pairs below are written lon-first, whatever order their source used.

# (wgs_lon, wgs_lat, gcj_lon, gcj_lat) from eviltransform (googollee/eviltransform,
# python/test.py and go/transform_test.go, given there as lat, lng).
EVILTRANSFORM_WGS_GCJ = [
    pytest.param(121.5272106, 31.1774276, 121.531541859215, 31.17530398364597, id="shanghai"),
    pytest.param(113.912316, 22.543847, 113.9171764808363, 22.540796131694766, id="shenzhen"),
    pytest.param(116.377817, 39.911954, 116.38404722455657, 39.91334545536069, id="beijing"),
]
# coordtransform (wandergis/coordtransform) README: every function applied to (116.404, 39.915).
CT_INPUT = (116.404, 39.915)
CT_WGS84_TO_GCJ02 = (116.41024449916938, 39.91640428150164)
CT_GCJ02_TO_BD09 = (116.41036949371029, 39.92133699351021)
CT_BD09_TO_GCJ02 = (116.39762729119315, 39.90865673957631)  # closed-form approximation
CT_GCJ02_TO_WGS84 = (116.39775550083061, 39.91359571849836)  # one-step approximation
# pyxis / geotool (Glatzel/pyxis, python/tests/test_crypto.py): its GCJ-02 -> BD-09 pair.
# (Its WGS84 vector is not used: that library evaluates GCJ-02 with a = 6378137, not the
# Krasovsky axis of the original algorithm, and differs from eviltransform by ~1e-7.)
PYXIS_GCJ02 = (121.09626935575027, 30.608604331756705)
PYXIS_BD09 = (121.10271732371203, 30.61484572185035)
# Alibaba Cloud address purification, TransferCoord API doc example (6 decimals).
ALIYUN_GCJ02 = (120.026268, 30.279164)
ALIYUN_BD09 = (120.032768, 30.285238)
ALIYUN_WGS84 = (120.021519, 30.281543)  # Aliyun uses the one-step GCJ-02 inverse

PUBLISHED_GCJ_BD = [
    pytest.param(CT_INPUT, CT_GCJ02_TO_BD09, 1e-9, id="coordtransform"),
    pytest.param(PYXIS_GCJ02, PYXIS_BD09, 1e-9, id="pyxis"),
    pytest.param(ALIYUN_GCJ02, ALIYUN_BD09, 6e-7, id="aliyun-6dp"),
]


def assert_close(actual: tuple[float, float], expected: tuple[float, float], tol: float) -> None:
    assert abs(actual[0] - expected[0]) <= tol, (actual, expected)
    assert abs(actual[1] - expected[1]) <= tol, (actual, expected)


# ------------------------------------------------------------------- WGS84 <-> GCJ-02


@pytest.mark.parametrize(("wlon", "wlat", "glon", "glat"), EVILTRANSFORM_WGS_GCJ)
def test_wgs84_to_gcj02_reproduces_eviltransform(wlon, wlat, glon, glat):
    assert_close(wgs84_to_gcj02(wlon, wlat), (glon, glat), 1e-9)


def test_wgs84_to_gcj02_reproduces_coordtransform():
    assert_close(wgs84_to_gcj02(*CT_INPUT), CT_WGS84_TO_GCJ02, 1e-9)


@pytest.mark.parametrize(("wlon", "wlat", "glon", "glat"), EVILTRANSFORM_WGS_GCJ)
def test_gcj02_to_wgs84_exactly_inverts_published_pairs(wlon, wlat, glon, glat):
    # eviltransform only promises < 0.5 m for its exact inverse; ours is < 1e-7 degrees.
    assert_close(gcj02_to_wgs84(glon, glat), (wlon, wlat), 1e-7)


def test_gcj02_to_wgs84_inverts_coordtransform_pair():
    assert_close(gcj02_to_wgs84(*CT_WGS84_TO_GCJ02), CT_INPUT, 1e-7)


@pytest.mark.parametrize(
    ("gcj", "one_step_wgs"),
    [
        pytest.param(CT_INPUT, CT_GCJ02_TO_WGS84, id="coordtransform"),
        pytest.param(ALIYUN_GCJ02, ALIYUN_WGS84, id="aliyun"),
    ],
)
def test_gcj02_to_wgs84_improves_on_published_one_step_results(gcj, one_step_wgs):
    exact = gcj02_to_wgs84(*gcj)
    # Same answer to within the one-step formula's known error (~1-2 m)...
    assert_close(exact, one_step_wgs, 3e-5)
    # ...but ours maps forward onto the input, which the one-step result does not.
    assert_close(wgs84_to_gcj02(*exact), gcj, 1e-9)
    forward_of_published = wgs84_to_gcj02(*one_step_wgs)
    assert max(abs(a - b) for a, b in zip(forward_of_published, gcj, strict=True)) > 1e-7


# -------------------------------------------------------------------- GCJ-02 <-> BD-09


@pytest.mark.parametrize(("gcj", "bd", "tol"), PUBLISHED_GCJ_BD)
def test_gcj02_to_bd09_reproduces_published(gcj, bd, tol):
    assert_close(gcj02_to_bd09(*gcj), bd, tol)


@pytest.mark.parametrize(("gcj", "bd", "tol"), PUBLISHED_GCJ_BD)
def test_bd09_to_gcj02_inverts_published(gcj, bd, tol):
    assert_close(bd09_to_gcj02(*bd), gcj, max(tol, 1e-7))


def test_bd09_to_gcj02_agrees_with_published_closed_form():
    # coordtransform's BD-09 inverse is the closed-form approximation (error ~1e-6 degrees);
    # ours refines it, so they agree to that level and ours round-trips exactly.
    ours = bd09_to_gcj02(*CT_INPUT)
    assert_close(ours, CT_BD09_TO_GCJ02, 2e-6)
    assert_close(gcj02_to_bd09(*ours), CT_INPUT, 1e-9)


def test_wgs84_bd09_compose_through_gcj02():
    assert_close(wgs84_to_bd09(*CT_INPUT), gcj02_to_bd09(*CT_WGS84_TO_GCJ02), 1e-12)
    assert_close(bd09_to_wgs84(*gcj02_to_bd09(*CT_WGS84_TO_GCJ02)), CT_INPUT, 1e-7)


# ------------------------------------------------------------------- outside China


@pytest.mark.parametrize(
    ("lon", "lat"),
    [(0.0, 0.0), (2.3522, 48.8566), (-74.006, 40.7128), (151.2093, -33.8688), (139.0, 35.0)],
)
def test_gcj02_equals_wgs84_outside_china(lon, lat):
    assert not is_in_china(lon, lat)
    assert wgs84_to_gcj02(lon, lat) == (lon, lat)
    assert gcj02_to_wgs84(lon, lat) == (lon, lat)


def test_is_in_china():
    assert is_in_china(116.404, 39.915)
    assert not is_in_china(70.0, 39.915)


# ------------------------------------------------------------------------- convert()


@pytest.mark.parametrize(
    ("src", "dst", "fn"),
    [
        ("wgs84", "gcj02", wgs84_to_gcj02),
        ("gcj02", "wgs84", gcj02_to_wgs84),
        ("gcj02", "bd09", gcj02_to_bd09),
        ("bd09", "gcj02", bd09_to_gcj02),
        ("wgs84", "bd09", wgs84_to_bd09),
        ("bd09", "wgs84", bd09_to_wgs84),
    ],
)
def test_convert_dispatches(src, dst, fn):
    assert convert(*CT_INPUT, src, dst) == fn(*CT_INPUT)


@pytest.mark.parametrize("name", ["wgs84", "gcj02", "bd09"])
def test_convert_same_system_is_identity(name):
    assert convert(*CT_INPUT, name, name) == CT_INPUT


@pytest.mark.parametrize(("src", "dst"), [("WGS84", "gcj02"), ("gcj02", "cgcs2000"), ("", "bd09")])
def test_convert_rejects_unknown_names(src, dst):
    with pytest.raises(ValueError, match="unknown coordinate system"):
        convert(*CT_INPUT, src, dst)


def test_scalar_results_are_plain_floats():
    lon, lat = gcj02_to_wgs84(*CT_INPUT)
    assert type(lon) is float and type(lat) is float


# -------------------------------------------------------------------- vectorised API


def test_coords_helper_matches_scalar_and_keeps_z():
    gcj = np.array([[p.values[2], p.values[3], 12.5] for p in EVILTRANSFORM_WGS_GCJ])
    out = gcj02_to_wgs84_coords(gcj)
    assert out.shape == gcj.shape
    np.testing.assert_array_equal(out[:, 2], gcj[:, 2])
    for row_in, row_out in zip(gcj, out, strict=True):
        assert_close(tuple(row_out[:2]), gcj02_to_wgs84(row_in[0], row_in[1]), 1e-12)


def test_coords_helper_does_not_mutate_input():
    gcj = np.array([CT_WGS84_TO_GCJ02])
    before = gcj.copy()
    gcj02_to_wgs84_coords(gcj)
    np.testing.assert_array_equal(gcj, before)


def test_coords_helper_with_shapely_transform():
    wgs = Polygon([(120.50, 31.80), (120.60, 31.80), (120.60, 31.90), (120.50, 31.80)])
    gcj = shapely.transform(wgs, wgs84_to_gcj02_coords)
    back = shapely.transform(gcj, gcj02_to_wgs84_coords)
    assert not shapely.equals_exact(wgs, gcj, tolerance=1e-4)  # offset is hundreds of metres
    assert shapely.equals_exact(wgs, back, tolerance=1e-9)


def test_coords_helper_with_shapely_transform_3d():
    line = shapely.linestrings([[116.40, 39.91, 50.0], [116.41, 39.92, 60.0]])
    out = shapely.transform(line, gcj02_to_wgs84_coords, include_z=True)
    np.testing.assert_array_equal(shapely.get_coordinates(out, include_z=True)[:, 2], [50, 60])


def test_coords_helper_propagates_nan_without_hanging():
    out = gcj02_to_wgs84_coords(np.array([[np.nan, np.nan], list(CT_WGS84_TO_GCJ02)]))
    assert np.isnan(out[0]).all()
    assert_close(tuple(out[1]), CT_INPUT, 1e-7)


@pytest.mark.parametrize("shape", [(3,), (2, 4), (2, 1)])
def test_coords_helper_rejects_bad_shapes(shape):
    with pytest.raises(ValueError, match="coordinate array"):
        convert_coords(np.zeros(shape), "gcj02", "wgs84")


# ---------------------------------------------------------------- property tests

mainland_lon = st.floats(min_value=73.5, max_value=135.0, allow_nan=False)
mainland_lat = st.floats(min_value=18.0, max_value=53.5, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(mainland_lon, mainland_lat)
def test_property_wgs84_gcj02_round_trip(lon, lat):
    assert_close(gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat)), (lon, lat), 1e-6)


@settings(max_examples=300, deadline=None)
@given(mainland_lon, mainland_lat)
def test_property_gcj02_inverse_residual_below_1e7(lon, lat):
    assert_close(wgs84_to_gcj02(*gcj02_to_wgs84(lon, lat)), (lon, lat), 1e-7)


@settings(max_examples=300, deadline=None)
@given(mainland_lon, mainland_lat)
def test_property_gcj02_bd09_round_trips(lon, lat):
    assert_close(bd09_to_gcj02(*gcj02_to_bd09(lon, lat)), (lon, lat), 1e-6)
    assert_close(gcj02_to_bd09(*bd09_to_gcj02(lon, lat)), (lon, lat), 1e-6)


@settings(max_examples=300, deadline=None)
@given(mainland_lon, mainland_lat)
def test_property_wgs84_bd09_round_trip(lon, lat):
    assert_close(bd09_to_wgs84(*wgs84_to_bd09(lon, lat)), (lon, lat), 1e-6)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(mainland_lon, mainland_lat), min_size=1, max_size=20))
def test_property_vectorised_matches_scalar(points):
    out = gcj02_to_wgs84_coords(np.array(points))
    for (lon, lat), row in zip(points, out, strict=True):
        assert_close(tuple(row), gcj02_to_wgs84(lon, lat), 1e-9)
