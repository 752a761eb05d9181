"""Scorecards: providers combined per department and for the catalog, the None rule, score and ranking."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from registry.db import utcnow
from registry.evaluation import scorecards
from registry.links.indicators import link_health as link_health_provider
from registry.quality.indicators import quality
from registry.sharing.indicators import responsiveness
from registry.evaluation.scorecards import PROVIDERS, Scorecard, combine, evaluate, rank, score
from registry.evaluation.indicators import openness, timeliness

NOW = utcnow()


def test_the_providers_are_a_list_to_add_to():
    assert PROVIDERS == [timeliness, openness, quality, responsiveness, link_health_provider]


def test_none_is_left_out_of_the_score_not_counted_as_zero():
    assert score({"timely_share": 0.5, "unconditional_share": None}) == 50.0
    assert score({"timely_share": 0.5, "unconditional_share": 0.0}) == 25.0
    assert score({"timely_share": None, "unconditional_share": None, "resources": 3}) is None


def test_the_score_brings_quality_points_to_a_share_and_ignores_counts_and_days():
    assert score({"quality_mean_points": 324, "links_ok_share": 0.6, "resources": 90,
                  "mean_answer_working_days": 7.5}) == 70.0       # (0.8 + 0.6) / 2


def test_the_catalog_weighs_a_share_by_its_denominator_and_sums_counts():
    cards = [{"resources_with_frequency": 9, "overdue_resources": 0, "timely_share": 1.0},
             {"resources_with_frequency": 1, "overdue_resources": 1, "timely_share": 0.0},
             {"resources_with_frequency": 0, "overdue_resources": 0, "timely_share": None}]
    assert combine(cards, "timely_share") == pytest.approx(0.9)            # not the mean of 1 and 0
    assert combine(cards, "overdue_resources") == 1
    assert combine(cards[2:], "timely_share") is None


def test_an_unknown_key_is_summed_when_whole_and_not_combined_otherwise():
    assert combine([{"widgets": 2}, {"widgets": None}, {"widgets": 3}], "widgets") == 5
    assert combine([{"ratio": 0.5}, {"ratio": 1}], "ratio") is None


def _card(code: str, value):
    return Scorecard(SimpleNamespace(credit_code=code), {}, value)


def test_ranking_shares_places_on_ties_and_puts_the_unscored_last():
    ranked = rank([_card("C", 80.0), _card("A", None), _card("B", 90.0), _card("D", 80.0), _card("E", 70.0)])
    assert [(c.department.credit_code, c.rank) for c in ranked] == [
        ("B", 1), ("C", 2), ("D", 2), ("E", 4), ("A", None)]


def test_evaluate_combines_the_providers_for_every_active_department(db, world, publish):
    a, b = world.dept_a, world.dept_b
    publish(a, NOW - timedelta(days=40), update_frequency="monthly")      # overdue, unconditional
    publish(a, NOW, update_frequency="monthly", conditional_share=True)
    publish(a, NOW, update_frequency="irregular")
    with db.reader() as session:
        evaluation = evaluate(session, NOW, providers=[timeliness, openness])
    card_a, card_b = evaluation.of(a.id), evaluation.of(b.id)
    assert card_a.measures == {"resources_with_frequency": 2, "overdue_resources": 1, "timely_share": 0.5,
                               "resources": 3, "unconditional_share": pytest.approx(2 / 3)}
    assert card_a.score == pytest.approx(round(100 * (0.5 + 2 / 3) / 2, 1)) and card_a.rank == 1
    # b publishes nothing: every share is not measurable, so it has no score and no rank — not a 0.
    assert card_b.measures == {"resources_with_frequency": None, "overdue_resources": None, "timely_share": None,
                               "resources": None, "unconditional_share": None}
    assert card_b.score is None and card_b.rank is None
    assert [c.department.id for c in evaluation.departments] == [a.id, b.id]
    assert evaluation.catalog.measures["timely_share"] == 0.5 and evaluation.catalog.measures["resources"] == 3


def test_a_fake_provider_joins_as_one_list_entry(db, world, publish, monkeypatch):
    a, b = world.dept_a, world.dept_b
    publish(a, NOW)

    def link_health(session, now=None):                 # a provider of the contract, by its name
        return {a.id: {"links_checked": 10, "links_ok": 4, "links_ok_share": 0.4},
                b.id: {"links_checked": 30, "links_ok": 30, "links_ok_share": 1.0}}

    def gadgets(session, now=None):                     # a provider nobody described
        return {b.id: {"gadgets": 7}}

    monkeypatch.setattr(scorecards, "PROVIDERS", [timeliness, openness, link_health, gadgets])
    with db.reader() as session:
        evaluation = evaluate(session, NOW)
    assert evaluation.keys[-4:] == ["links_checked", "links_ok", "links_ok_share", "gadgets"]
    card_a, card_b = evaluation.of(a.id), evaluation.of(b.id)
    assert card_a.score == pytest.approx(round(100 * (1 + 1 + 0.4) / 3, 1))   # timely, unconditional, links
    assert card_b.score == 100.0 and card_b.rank == 1 and card_a.rank == 2   # b: links only
    assert card_a.measures["gadgets"] is None and card_b.measures["gadgets"] == 7
    assert evaluation.catalog.measures["links_ok_share"] == pytest.approx(34 / 40)
    assert evaluation.catalog.measures["gadgets"] == 7


def test_a_provider_with_no_answer_yet_still_shows_its_measures(db, world):
    def responsiveness(session, now=None):
        return {}
    with db.reader() as session:
        evaluation = evaluate(session, NOW, providers=[responsiveness])
    assert evaluation.keys == ["requests_received", "requests_answered", "answered_in_time_share",
                               "mean_answer_working_days", "overdue_open"]
    assert evaluation.catalog.measures["answered_in_time_share"] is None
    assert evaluation.catalog.measures["requests_received"] == 0


def test_inactive_departments_are_not_evaluated(db, world, publish):
    from registry.departments.models import Department
    publish(world.dept_b, NOW)
    with db.transaction() as session:
        session.get(Department, world.dept_b.id).active = False
    with db.reader() as session:
        evaluation = evaluate(session, NOW)
    assert evaluation.of(world.dept_b.id) is None
    assert evaluation.catalog.measures["resources"] == 0
