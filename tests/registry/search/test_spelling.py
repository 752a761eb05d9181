"""Correcting misspelt words against the catalog's own words: what is corrected, into what, and what
is left alone."""
from __future__ import annotations

from registry.search.spelling import correct, edit_distance


def test_english_words_become_the_closest_word_the_catalog_knows():
    terms = ("Kindergartens", "Hospitals and clinics", "Charging facilities")
    assert correct("kindergarden", terms) == "kindergarten"          # from the synonyms' English
    assert correct("Hospitels list", terms) == "hospitals list"       # case folded; a known word kept
    assert correct("chargin stations", terms) == "charging stations"
    assert correct("air qualty", ()) == "air quality"


def test_chinese_a_character_away_from_a_catalog_word_becomes_that_word():
    assert correct("幼儿圆", ()) == "幼儿园"
    assert correct("杭州养老机购名录", ()) == "杭州养老机构名录"
    assert correct("殡葬服物", ()) == "殡葬服务"


def test_known_short_or_unlike_words_are_left_as_typed():
    assert correct("kindergarten", ()) is None
    assert correct("hospitals", ()) is None                            # a known word's plural (same stem)
    assert correct("bsu", ()) is None                                  # too short to tell
    assert correct("zzzzqqqq", ()) is None
    assert correct("幼儿", ()) is None                                  # two characters: a slip or another word
    assert correct("企业信用", ()) is None


def test_edit_distance_counts_a_swap_of_neighbours_once_and_stops_past_the_limit():
    assert edit_distance("qualtiy", "quality", 2) == 1
    assert edit_distance("kindergarden", "kindergarten", 2) == 1
    assert edit_distance("abcdefgh", "zyxwvuts", 2) == 3
