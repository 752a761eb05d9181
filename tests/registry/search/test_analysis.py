"""Text analysis in Python: folding, words and grams, the synonyms file, did-you-mean, and an index
of another analysis reported rather than silently mismatched."""
from __future__ import annotations

import pytest

from registry.search import analysis
from registry.search.embedded import EmbeddedEngine
from registry.search.engine import SearchUnavailable
from registry.search.plan import read
from registry.search.query import SearchQuery
from registry.search.services import did_you_mean
from tests.registry.search.test_contract import load, resource


def test_folding_keeps_length_and_folds_width_case_and_traditional_forms():
    assert analysis.fold("ＡＩＲ　Quality 企業醫療機構") == "air quality 企业医疗机构"
    text = "臺灣ＰＭ２．５"
    assert len(analysis.fold(text)) == len(text)


def test_words_give_sub_words_and_stems_grams_close_each_run():
    assert {"企业", "信用", "企业信用"} <= set(analysis.words("企业信用评价"))
    assert analysis.words("Annual Reports") == ["annual", "report"]
    assert analysis.grams("交通，统计") == ["交通", "通$", "统计", "计$"]


def test_the_synonyms_file_is_well_formed_and_covers_the_named_groups():
    groups = analysis.synonym_groups()
    assert len(groups) >= 60
    together = [set(g) for g in groups]
    for pair in [("公交", "公共交通"), ("医院", "医疗机构"), ("企业", "市场主体"), ("户籍", "人口"),
                 ("低保", "最低生活保障"), ("发改委", "发展和改革委员会")]:
        assert any(set(pair) <= g for g in together), pair


def test_a_query_reads_as_words_with_optional_intent_words():
    plan = read("公交线路查询")
    assert [(g.text, g.required) for g in plan.groups] == [("公交线路", True), ("查询", False)]
    assert read("  ") is None


def test_did_you_mean_offers_close_catalog_terms():
    terms = ["社会信用", "Social credit", "公交线路", "空气质量"]
    assert did_you_mean("社会信誉", terms)[0] == "社会信用"
    assert did_you_mean("credt", terms) == ["Social credit"]
    assert did_you_mean("公交线路", terms) == []           # the query's own word is no suggestion


def test_an_index_of_another_analysis_is_reported_until_rebuilt(tmp_path):
    engine = EmbeddedEngine(tmp_path / "search")
    load(engine, resource(1, title="交通统计"))
    generation = engine.describe()["generation"]
    (tmp_path / "search" / generation / "ANALYSIS").write_text("words-0-old")
    stale = EmbeddedEngine(tmp_path / "search")          # another process, after an upgrade
    assert stale.describe()["analysis_current"] is False
    with pytest.raises(SearchUnavailable, match="reindex"):
        stale.search(SearchQuery(text="交通"))
    from registry.search.documents import documents_for
    stale.rebuild(iter([documents_for(resource(1, title="交通统计"))[0]]))
    assert stale.describe()["analysis_current"] is True
    assert [h.resource_id for h in stale.search(SearchQuery(text="交通")).hits] == [1]


def test_every_process_reads_the_same_analysis():
    # Another process (a drainer, a web worker) must agree on the version, whatever its hash seed.
    import os
    import subprocess
    import sys

    code = "from registry.search.analysis import analysis_version; print(analysis_version())"
    versions = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                               env={**os.environ, "PYTHONHASHSEED": seed}).stdout.strip() for seed in ("1", "2", "3")}
    assert versions == {analysis.analysis_version()}
