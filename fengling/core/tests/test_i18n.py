"""No mixed-language screens: the main pages speak Chinese by default and English on request.

Data (organization and member names) is Chinese in both languages; only interface labels
are checked.
"""

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

# English msgids of the page shell and the pages below, and what a Chinese user reads instead.
UI_LABELS = {
    "Home": "首页",
    "Organizations": "党组织",
    "Members": "党员",
    "Log out": "退出登录",
    "Large text": "大字模式",
    "More modules": "更多功能",
    "Skip to content": "跳到主要内容",
}
# Chinese labels of the navigation that never occur in the cast's data.
CHINESE_NAV = ["首页", "退出登录", "大字模式", "更多功能", "跳到主要内容", "即将上线"]


class _VisibleText(HTMLParser):
    """What a user reads or hears: text outside scripts and styles, and the attributes
    that screen readers and browsers show."""

    ATTRIBUTES = {"aria-label", "title", "placeholder", "alt"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        self.parts.extend(v for k, v in attrs if k in self.ATTRIBUTES and v)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(response) -> str:
    parser = _VisibleText()
    parser.feed(response.content.decode())
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def pages(cast) -> dict[str, str]:
    return {
        "home": reverse("reports:home"),
        "tree": reverse("organizations:tree"),
        "organization": reverse("organizations:detail", args=[cast.community_a.pk]),
        "member list": reverse("members:list"),
        "member": reverse("members:detail", args=[cast.member_a.pk]),
        "member history": reverse("members:history", args=[cast.member_a.pk]),
        "organization history": reverse("organizations:history", args=[cast.community_a.pk]),
    }


def has_word(text: str, word: str) -> bool:
    return re.search(rf"\b{re.escape(word)}\b", text) is not None


def test_pages_speak_chinese_by_default_with_no_english_label(client, cast):
    client.force_login(cast.community_secretary)
    for name, url in pages(cast).items():
        response = client.get(url)
        assert response.status_code == 200, name
        text = visible_text(response)
        for english, chinese in UI_LABELS.items():
            assert not has_word(text, english), (name, english)
            assert chinese in text, (name, chinese)
        # Any other English word is a string that skipped translation. Allowed: the switch
        # to English (named in its own language) and the user's login name.
        leftovers = set(re.findall(r"[A-Za-z]{3,}", text)) - {"English", "community", "secretary"}
        assert not leftovers, (name, sorted(leftovers))


@pytest.mark.parametrize("how", ["header", "cookie"])
def test_pages_speak_english_when_asked_with_no_chinese_label(client, cast, how):
    if how == "header":
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    else:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(cast.community_secretary)
    for name, url in pages(cast).items():
        response = client.get(url)
        assert response.status_code == 200, name
        text = visible_text(response)
        for english in UI_LABELS:
            assert has_word(text, english), (name, english)
        for chinese in CHINESE_NAV:
            assert chinese not in text, (name, chinese)
