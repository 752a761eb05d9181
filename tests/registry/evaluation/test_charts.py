"""The SVG charts: well-formed, described in words, and each value where it belongs."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import pytest

from registry.evaluation.charts import PAD_LEFT, PAD_RIGHT, WIDTH, bar_chart, fit, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup) -> ET.Element:
    root = ET.fromstring(str(markup))
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id and root.find(f"{SVG}desc").get("id") == desc_id
    return root


def texts(root) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_bars_are_as_long_as_their_values_and_none_is_a_dash():
    root = parse(bar_chart([("交通局", 80), ("<民政厅> & co", 40), ("统计局", None)], title="排名", axis="总分"))
    bars = root.findall(f"{SVG}rect")
    span = WIDTH - PAD_LEFT - PAD_RIGHT
    assert [float(b.get("width")) for b in bars] == [pytest.approx(span * 0.8), pytest.approx(span * 0.4)]
    assert [b.get("data-value") for b in bars] == ["80", "40"]
    assert float(bars[0].get("y")) < float(bars[1].get("y"))             # in the order given
    assert bars[0].find(f"{SVG}title").text == "交通局: 80"
    shown = texts(root)
    assert "<民政厅> & co" in shown and "统计局" in shown and "—" in shown    # escaped, and read back
    assert "总分 (0–100)" in shown and {"0", "25", "50", "75", "100"} <= set(shown)   # the labelled axis
    assert root.find(f"{SVG}title").text == "排名"
    assert root.find(f"{SVG}desc").text == "总分. 交通局: 80; <民政厅> & co: 40; 统计局: —"


def test_values_beyond_the_axis_are_clipped_to_it():
    root = parse(bar_chart([("a", 130), ("b", -5)], title="t", axis="x"))
    widths = [float(b.get("width")) for b in root.findall(f"{SVG}rect")]
    assert widths == [pytest.approx(WIDTH - PAD_LEFT - PAD_RIGHT), 0]


def test_the_chart_is_as_tall_as_its_rows():
    one = parse(bar_chart([("a", 1)], title="t", axis="x"))
    three = parse(bar_chart([("a", 1), ("b", 2), ("c", 3)], title="t", axis="x"))
    assert float(three.get("viewBox").split()[3]) > float(one.get("viewBox").split()[3])
    assert parse(bar_chart([], title="t", axis="x")).findall(f"{SVG}rect") == []


def test_line_points_sit_at_their_day_and_value():
    points = [(date(2026, 1, 1), 50.0), (date(2026, 1, 3), None), (date(2026, 1, 5), 100.0), (date(2026, 1, 11), 0.0)]
    root = parse(line_chart(points, title="趋势", axis="总分", time_axis="日期"))
    circles = root.findall(f"{SVG}circle")
    assert [c.get("data-day") for c in circles] == ["2026-01-01", "2026-01-05", "2026-01-11"]
    xs, ys = [float(c.get("cx")) for c in circles], [float(c.get("cy")) for c in circles]
    assert (xs[1] - xs[0]) / (xs[2] - xs[0]) == pytest.approx(4 / 10)     # a time axis, not evenly spaced
    top, bottom = ys[1], ys[2]                                            # 100 at the top, 0 at the bottom
    assert ys[0] == pytest.approx((top + bottom) / 2)
    # None breaks the line: the first point stands alone, the last two are joined.
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == 1 and lines[0].get("points") == f"{xs[1]:.2f},{ys[1]:.2f} {xs[2]:.2f},{ys[2]:.2f}"
    shown = texts(root)
    assert {"2026-01-01", "2026-01-11", "日期", "总分 (0–100)"} <= set(shown)
    assert root.find(f"{SVG}desc").text == "总分. 2026-01-01: 50; 2026-01-03: —; 2026-01-05: 100; 2026-01-11: 0"


def test_a_single_point_stands_in_the_middle():
    root = parse(line_chart([(date(2026, 2, 1), 75.0)], title="t", axis="x", time_axis="d"))
    (circle,) = root.findall(f"{SVG}circle")
    assert root.findall(f"{SVG}polyline") == [] and circle.get("data-value") == "75"


def test_each_chart_has_its_own_ids():
    first, second = parse(bar_chart([], title="a", axis="x")), parse(bar_chart([], title="b", axis="x"))
    assert first.get("aria-labelledby") != second.get("aria-labelledby")


def test_long_labels_are_cut_to_the_drawing_and_kept_whole_in_the_titles():
    long_en = "Agriculture and Rural Affairs Bureau of Yuhang District, Hangzhou"
    long_zh = "杭州市余杭区农业农村局" * 4
    root = parse(bar_chart([(long_en, 50), (long_zh, 60)], title="t", axis="x"))
    shown = [t for t in texts(root) if t.endswith("…")]
    assert len(shown) == 2 and long_en.startswith(shown[0][:-1]) and long_zh.startswith(shown[1][:-1])
    assert len(shown[1]) < len(shown[0])                   # a Chinese character takes more room
    assert [b.find(f"{SVG}title").text for b in root.findall(f"{SVG}rect")] == [f"{long_en}: 50", f"{long_zh}: 60"]
    assert long_en in root.find(f"{SVG}desc").text
    assert fit("交通局", 100) == "交通局"
