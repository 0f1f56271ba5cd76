"""Pinyin search keys of names (拼音检索): 张三 → ("zhangsan", "zs").

Keys are lowercase, without tones or spaces, ü written `v` (吕 → "lv", as typed on a
keyboard). Each Chinese character gives one reading (pypinyin, no heteronyms); letters and
digits are kept as they are, lowercased; anything else (spaces, ·, brackets) is dropped.

pypinyin has no surname mode, so a person's surname is read from the table below first:
the surname readings of characters whose everyday reading differs (曾 zeng, not ceng;
单 shan; 解 xie), and the compound surnames (万俟 moqi).
"""

from __future__ import annotations

import re
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

# Longest query text looked at; longer input is cut (a name is at most 50 characters).
MAX_QUERY_LENGTH = 60

# Surname readings, syllable by syllable (lazy_pinyin itself gives one reading per character,
# never heteronyms).
COMPOUND_SURNAMES = {
    "万俟": ("mo", "qi"), "尉迟": ("yu", "chi"), "单于": ("chan", "yu"),
    "长孙": ("zhang", "sun"), "澹台": ("tan", "tai"), "令狐": ("ling", "hu"),
    "欧阳": ("ou", "yang"), "司马": ("si", "ma"), "上官": ("shang", "guan"),
    "诸葛": ("zhu", "ge"), "皇甫": ("huang", "fu"), "公孙": ("gong", "sun"),
    "东方": ("dong", "fang"), "宇文": ("yu", "wen"),
}

SURNAMES = {
    "曾": "zeng", "单": "shan", "解": "xie", "区": "ou", "仇": "qiu", "查": "zha", "朴": "piao",
    "翟": "zhai", "盖": "ge", "缪": "miao", "覃": "qin", "乐": "yue", "阚": "kan", "藏": "zang",
    "粘": "nian", "折": "she", "佴": "nai", "都": "du", "六": "lu", "薄": "bo", "卜": "bu",
    "隗": "wei", "召": "shao", "贠": "yun", "貟": "yun", "员": "yun", "句": "gou", "重": "chong",
    "种": "chong", "繁": "po", "秘": "bi", "能": "nai", "尉": "wei", "长": "chang", "祭": "zhai",
    "冼": "xian", "褚": "chu", "蕃": "pi", "郇": "huan",
}

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_KEPT = re.compile(r"[a-z0-9]+")
# What a typed pinyin query may contain: letters, and the separators people type.
_PINYIN_QUERY = re.compile(r"[a-z][a-z' ]*")


def _surname_split(name: str) -> tuple[tuple[str, ...], str]:
    """(syllables of the surname, rest of the name); ((), name) if the table has none."""
    if name[:2] in COMPOUND_SURNAMES:
        return COMPOUND_SURNAMES[name[:2]], name[2:]
    if name[:1] in SURNAMES:
        return (SURNAMES[name[:1]],), name[1:]
    return (), name


def _pieces(text: str) -> list[tuple[str, bool]]:
    """(syllable, True) per Chinese character; (run, False) per run of letters or digits."""
    pieces: list[tuple[str, bool]] = []
    position = 0
    for match in _HAN.finditer(text):
        pieces.extend((run, False) for run in _KEPT.findall(text[position:match.start()].lower()))
        pieces.extend((syllable, True) for syllable in
                      lazy_pinyin(match.group(), style=Style.NORMAL))
        position = match.end()
    pieces.extend((run, False) for run in _KEPT.findall(text[position:].lower()))
    return pieces


@lru_cache(maxsize=65536)
def keys(name: str, *, surname: bool = False) -> tuple[str, str]:
    """(full pinyin, initials) of `name`; with `surname`, `name` is a person's name and its
    first characters are read as a surname.

    A Chinese character contributes its syllable to the full key and the syllable's first
    letter to the initials; a run of letters or digits contributes itself to both.
    """
    name = (name or "").strip()
    pieces: list[tuple[str, bool]] = []
    if surname:
        syllables, name = _surname_split(name)
        pieces.extend((syllable, True) for syllable in syllables)
    pieces.extend(_pieces(name))
    full = "".join(piece for piece, _han in pieces)
    initials = "".join(piece[0] if han else piece for piece, han in pieces)
    return full, initials


def normalise_query(text: str | None) -> str:
    """A search box's text as searched: trimmed, at most 60 characters, latin lowercased."""
    return (text or "").strip()[:MAX_QUERY_LENGTH].lower()


def pinyin_query(text: str) -> str:
    """The pinyin key a normalised query stands for ("zhang san" → "zhangsan"), or "" if
    the query is not typed pinyin (Chinese, digits …)."""
    if not _PINYIN_QUERY.fullmatch(text):
        return ""
    return text.replace(" ", "").replace("'", "")
