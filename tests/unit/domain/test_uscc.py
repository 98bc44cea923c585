"""GB 32100-2015 check character, against published codes and as a property."""

from hypothesis import given
from hypothesis import strategies as st

from app.domain import uscc

PUBLISHED = [
    "91350100M000100Y43",  # the standard's worked example
    "91110108551385082Q",  # 小米科技有限责任公司
]


def test_published_codes_are_valid():
    for code in PUBLISHED:
        assert uscc.problem(code) is None


def test_letter_first_characters_are_accepted():
    # 民办非企业 (5…), 农民专业合作社 (N…) and 其他 (Y…) codes start with letters or other digits;
    # python-stdnum wrongly rejects some of these.
    for body in ("N2410100MA40B9QC5", "Y1410100MA40B9QC5", "52410100MJ0000000"):
        code = body + uscc.check_character(body)
        assert uscc.problem(code) is None


def test_wrong_check_character_is_refused():
    assert uscc.problem("91110108551385082A") == "uscc_checksum"


def test_shape_errors_are_named():
    assert uscc.problem("9111010855138508") == "uscc_length"
    assert uscc.problem("9111010855138508IQ") == "uscc_chars"


def test_normalise_full_width_and_case():
    assert uscc.normalise("９１１１０１０８５５１３８５０８２ｑ") == "91110108551385082Q"
    assert uscc.normalise(" 9111-0108 5513 85082q ") == "91110108551385082Q"


@given(st.text(alphabet=uscc.ALPHABET, min_size=17, max_size=17))
def test_round_trip_and_single_substitution_detected(body):
    code = body + uscc.check_character(body)
    assert uscc.problem(code) is None
    # Changing the check character always breaks the code.
    other = next(c for c in uscc.ALPHABET if c != code[-1])
    assert uscc.problem(code[:-1] + other) == "uscc_checksum"


@given(
    st.text(alphabet=uscc.ALPHABET, min_size=17, max_size=17),
    st.integers(min_value=0, max_value=16),
    st.sampled_from(uscc.ALPHABET),
)
def test_any_single_character_error_is_detected(body, pos, char):
    code = body + uscc.check_character(body)
    if code[pos] == char:
        return
    changed = code[:pos] + char + code[pos + 1 :]
    assert uscc.problem(changed) == "uscc_checksum"
