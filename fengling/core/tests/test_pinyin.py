"""Pinyin search keys of names: a table of names and what they give."""

import pytest

from fengling.core.lib import pinyin


@pytest.mark.parametrize(
    ("name", "surname", "full", "initials"),
    [
        ("张三", True, "zhangsan", "zs"),
        ("吕", True, "lv", "l"),
        ("吕布", False, "lvbu", "lb"),
        # Surnames are read as surnames, the rest of the name as usual.
        ("曾", True, "zeng", "z"),
        ("曾国藩", True, "zengguofan", "zgf"),
        ("曾经", False, "cengjing", "cj"),
        ("单田芳", True, "shantianfang", "stf"),
        ("解缙", True, "xiejin", "xj"),
        ("万俟卨", True, "moqixie", "mqx"),
        # Letters and digits are kept (lowercased); spaces and punctuation dropped.
        ("张3丰", True, "zhang3feng", "z3f"),
        ("A栋 IBM党支部", False, "adongibmdangzhibu", "adibmdzb"),
        ("阿依古丽·买买提", True, "ayigulimaimaiti", "ayglmmt"),
        ("", True, "", ""),
        ("   ", False, "", ""),
    ],
)
def test_keys(name, surname, full, initials):
    assert pinyin.keys(name, surname=surname) == (full, initials)


@pytest.mark.parametrize(
    ("text", "normalised", "key"),
    [
        ("  ZS ", "zs", "zs"),
        ("Zhang San", "zhang san", "zhangsan"),
        ("xi'an", "xi'an", "xian"),
        ("张三", "张三", ""),
        ("1234", "1234", ""),
        ("002X", "002x", ""),
        ("", "", ""),
        ("a" * 80, "a" * 60, "a" * 60),
    ],
)
def test_queries_are_normalised_and_pinyin_recognised(text, normalised, key):
    assert pinyin.normalise_query(text) == normalised
    assert pinyin.pinyin_query(pinyin.normalise_query(text)) == key
