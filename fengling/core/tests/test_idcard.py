import datetime as dt

import pytest

from fengling.core.lib import idcard

# GB 11643-1999 examples: the first is the standard's own worked example.
VALID = [
    ("11010519491231002X", dt.date(1949, 12, 31), "F"),
    ("440524188001010014", dt.date(1880, 1, 1), None),  # before 1900: refused below
]


def test_standard_example_parses_birth_date_and_gender():
    parsed = idcard.parse("11010519491231002x")
    assert parsed.value == "11010519491231002X"
    assert parsed.birth_date == dt.date(1949, 12, 31)
    assert parsed.gender == "F"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "length"),
        ("1101051949123100", "length"),
        ("11010519491231002Y", "characters"),
        ("1101051949A231002X", "characters"),
        ("110105194902300021", "birth_date"),  # 30 February
        ("440524188001010014", "birth_date"),  # before 1900
        ("110105194912310021", "check_digit"),
    ],
)
def test_bad_numbers_are_refused_with_a_reason(raw, code):
    with pytest.raises(idcard.IDNumberError) as exc:
        idcard.parse(raw)
    assert exc.value.code == code


@pytest.mark.parametrize(
    ("birth", "gender"),
    [(dt.date(1960, 2, 29), "M"), (dt.date(2001, 12, 1), "F"), (dt.date(1935, 7, 1), "M")],
)
def test_built_numbers_are_valid_and_agree_with_the_record(birth, gender):
    for sequence in (0, 7, 499):
        parsed = idcard.parse(idcard.build("330203", birth, sequence, gender))
        assert (parsed.birth_date, parsed.gender) == (birth, gender)


def test_mask_keeps_area_code_and_last_four():
    assert idcard.mask("11010519491231002X") == "110105********002X"
