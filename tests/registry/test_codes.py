"""Credit codes, division codes and resource codes, checked by example and by property."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from vocab.codes import (CREDIT_CODE_ALPHABET, credit_code_check_character, credit_code_problem,
                            format_resource_code, is_valid_credit_code, make_credit_code, parse_resource_code)

bodies = st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=9, max_size=9)
regions = st.from_regex(r"[1-8][0-9]{5}", fullmatch=True)


def test_published_examples():
    assert is_valid_credit_code("91350100M000100Y43")
    assert credit_code_problem("91350100M000100Y44") == "check"
    assert credit_code_problem("9135010OM000100Y43") == "alphabet"   # the letter O is not used
    assert credit_code_problem("91350100M000100Y4") == "length"
    assert credit_code_problem("91000000M000100Y43") == "region"


@given(regions, bodies)
def test_made_codes_are_valid(region, body):
    assert is_valid_credit_code(make_credit_code(region, body))


@given(regions, bodies, st.integers(min_value=0, max_value=16), st.sampled_from(CREDIT_CODE_ALPHABET))
def test_any_single_substitution_is_detected(region, body, position, replacement):
    code = make_credit_code(region, body)
    changed = code[:position] + replacement + code[position + 1:]
    if changed != code and credit_code_problem(changed) != "region":
        assert credit_code_problem(changed) == "check"


def test_check_character_refuses_bad_bodies():
    for bad in ["", "1" * 16, "I" * 17]:
        try:
            credit_code_check_character(bad)
        except ValueError:
            continue
        raise AssertionError(f"accepted {bad!r}")


@given(st.from_regex(r"[123][0-9]{2}([0-9]{3}([0-9]{1,6})?)?", fullmatch=True), st.integers(1, 10**7))
def test_resource_codes_round_trip(classification, number):
    code = format_resource_code(classification, number)
    assert parse_resource_code(code) == (classification, number)


def test_malformed_resource_codes():
    for bad in ["", "102", "102/", "/000001", "402/000001", "102/12", "1a2/000001", None]:
        assert parse_resource_code(bad) is None
