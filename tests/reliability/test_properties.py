"""Property-based tests that add to tests/ingest/test_numbers.py and test_names.py.

Those check round trips of well-formed numbers and that every registered name is recognised
however it is typed. These check the other side: that the parsers are total (any input gives
an answer or the module's own error, never a crash), that what the project prints it reads
back, and that a name never resolves to something it should not.
"""

from __future__ import annotations

import math
import string
from decimal import Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ingest.numbers import MAX_EXACT, NumberError, parse_number
from ingest.parse import normalise_unit_code
from ingest.reference import load_registry
from ingest.text import normalise_key
from ingest.vn_format import format_number

REGISTRY = load_registry()
YEARS = st.integers(min_value=2015, max_value=2027)
# Text as it arrives in cells: anything, plus the characters numbers are made of.
NUMBERISH = st.text(alphabet=st.sampled_from(list("0123456789.,-+−% \u00a0\u202fe")), max_size=30)
ANY_TEXT = st.one_of(st.text(max_size=80), NUMBERISH)


def _checked(raw: object) -> None:
    """parse_number answers or raises NumberError; an answer is a finite, exact figure."""
    try:
        parsed = parse_number(raw)
    except NumberError as exc:
        assert exc.code in {"not_a_number", "nan", "infinite", "too_large"}
        return
    assert math.isfinite(parsed.value) and abs(parsed.value) <= MAX_EXACT
    assert parsed.decimals >= 0
    assert parsed.is_integer == float(parsed.value).is_integer()


@settings(max_examples=1500, deadline=None)
@given(st.one_of(ANY_TEXT, st.integers(), st.floats(), st.decimals(), st.booleans(), st.none()))
def test_parse_number_is_total(raw: object) -> None:
    _checked(raw)


@settings(max_examples=500, deadline=None)
@given(st.integers(min_value=0, max_value=MAX_EXACT), st.integers(min_value=0, max_value=3))
def test_what_the_project_prints_it_reads_back(n: int, decimals: int) -> None:
    """format_number is how every figure is shown to people; parse_number must read it."""
    value = Decimal(n) / (10**decimals)
    assume(value <= MAX_EXACT)
    text = format_number(value, decimals)
    parsed = parse_number(text)
    assert Decimal(repr(parsed.value)) == value or parsed.value == float(value)
    assert parsed.decimals == decimals
    assert parse_number(text + "%").percent


@settings(max_examples=500, deadline=None)
@given(NUMBERISH, st.sampled_from(["-", "−"]), st.text(" \t", max_size=3))
def test_sign_and_surrounding_spaces(text: str, minus: str, pad: str) -> None:
    try:
        positive = parse_number(text)
    except NumberError:
        return
    assume(not text.strip().startswith(("-", "+", "−")) and positive.value != 0)
    assert parse_number(minus + text.strip()).value == -positive.value
    assert parse_number(pad + text + pad).value == positive.value


@settings(max_examples=500, deadline=None)
@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(list("aAđx#?")),
       st.booleans())
def test_a_figure_with_a_stray_character_is_not_a_number(n: int, junk: str, front: bool) -> None:
    text = format_number(n)
    try:
        parse_number(junk + text if front else text + junk)
    except NumberError as exc:
        assert exc.code == "not_a_number"
    else:
        raise AssertionError(f"{junk!r} accepted around {text!r}")


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=MAX_EXACT + 1, max_value=2**200))
def test_whole_numbers_beyond_2_53_are_too_large_as_cells_and_as_text(n: int) -> None:
    as_float = [float(n)] if float(n) > MAX_EXACT else []  # 2**53 + 1 rounds to 2**53
    for raw in (n, str(n), format_number(n), *as_float):
        try:
            parse_number(raw)
        except NumberError as exc:
            assert exc.code in ("too_large", "not_a_number"), (raw, exc)  # long text: refused
        else:
            raise AssertionError(raw)


# ---------------------------------------------------------------------------------------------
# Names and unit codes

_REGISTERED = sorted({(u.unit_code, name) for u in REGISTRY.units
                      for name in (u.unit_name, u.display_name, *u.aliases)})


@settings(max_examples=1000, deadline=None)
@given(st.one_of(st.text(max_size=80), st.sampled_from([n for _, n in _REGISTERED])), YEARS)
def test_name_resolution_is_total_and_only_gives_units_valid_that_year(name: str,
                                                                      year: int) -> None:
    unit = REGISTRY.resolve_name(name, year)
    if unit is not None:
        assert REGISTRY.unit(unit.unit_code, year) == unit
        assert unit in REGISTRY.name_candidates(name)


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(_REGISTERED), YEARS,
       st.lists(st.sampled_from([",", ".", ":", " - ", "\u200b", "  "]), min_size=1, max_size=3))
def test_punctuation_between_words_does_not_change_the_unit(entry: tuple[str, str], year: int,
                                                            marks: list[str]) -> None:
    _, name = entry
    words = name.split()
    noisy = words[0] + "".join(marks[i % len(marks)] + " " + w for i, w in enumerate(words[1:]))
    assert normalise_key(noisy) == normalise_key(name)
    assert REGISTRY.resolve_name(noisy, year) == REGISTRY.resolve_name(name, year)


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(_REGISTERED), YEARS,
       st.text(alphabet=string.ascii_lowercase, min_size=3, max_size=8))
def test_an_extra_word_never_resolves_to_another_unit(entry: tuple[str, str], year: int,
                                                      word: str) -> None:
    """No fuzzy matching: "Sở Tư pháp tỉnh Lào Cai xyz" is not some unit or other."""
    code, name = entry
    assume(normalise_key(word) not in normalise_key(name).split())
    for variant in (f"{name} {word}", f"{word} {name}"):
        found = REGISTRY.resolve_name(variant, year)
        assert found is None or found.unit_code == code, (variant, found)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["STP", "THADS", "stp", "thads", "Thads"]), st.integers(0, 99),
       st.sampled_from(["-", "_", " ", "", " - "]), st.booleans())
def test_unit_codes_normalise_to_one_spelling(kind: str, number: int, sep: str,
                                              pad: bool) -> None:
    digits = f"{number:02d}" if pad else str(number)
    assert normalise_unit_code(f" {kind}{sep}{digits} ") == f"{kind.upper()}-{number:02d}"


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=40))
def test_unit_code_normalisation_is_total(text: str) -> None:
    code = normalise_unit_code(text)
    assert code is None or code.split("-")[0] in ("STP", "THADS")
