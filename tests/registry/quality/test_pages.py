"""The quality block on the public resource page and in the editor's view: points, band, and each
point missed with how to gain it, in the page's language."""
from __future__ import annotations

import re

from tests.conftest import sign_in
from tests.registry.quality.test_services import patch, publish, score

BROWSER = {"Accept": "text/html"}


def block(html: str) -> str:
    found = re.search(r'<section id="quality".*?</section>', html, re.S)
    assert found, "no quality block"
    return found.group(0)


def test_the_public_page_shows_points_band_and_how_to_gain_the_missed_points(client, world, db):
    resource = publish(client, world)
    found = score(db, resource["id"])
    html = block(client.get(f"/resources/{resource['id']}?lang=en", headers=BROWSER).get_data(as_text=True))
    assert f"<strong class=\"points\">{found.points}</strong> / 405" in html
    assert {"good": "Good", "sufficient": "Sufficient", "bad": "Bad", "excellent": "Excellent"}[found.band] in html
    assert "Choose at least one EU data theme." in html and "−30" in html
    assert "Add at least one keyword." not in html                      # it has keywords: nothing to gain there
    assert "all mandatory elements of the compilation guide present" in html
    chinese = block(client.get(f"/resources/{resource['id']}?lang=zh", headers=BROWSER).get_data(as_text=True))
    assert "元数据质量" in chinese and "选择至少一个数据主题（欧盟数据主题）。" in chinese


def test_the_block_follows_a_change(client, world, db):
    resource = publish(client, world, themes=["ECON"])
    html = block(client.get(f"/resources/{resource['id']}?lang=en", headers=BROWSER).get_data(as_text=True))
    assert "Choose at least one EU data theme." not in html


def test_the_editor_sees_the_working_copys_score(client, world, db):
    resource = publish(client, world)
    patch(client, world, resource, spatial="330000")
    found = score(db, resource["id"])
    assert found.working_points == found.points + 20
    assert sign_in(client, "editor_a", "correct horse battery").status_code == 302
    html = block(client.get(f"/workspace/resources/{resource['id']}?lang=en").get_data(as_text=True))
    assert f"<strong class=\"points\">{found.working_points}</strong>" in html
    assert "Give the division code of the area covered." not in html
    public = block(client.get(f"/resources/{resource['id']}?lang=en", headers=BROWSER).get_data(as_text=True))
    assert f"<strong class=\"points\">{found.points}</strong>" in public
    assert "Give the division code of the area covered." in public
