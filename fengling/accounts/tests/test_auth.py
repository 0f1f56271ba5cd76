"""Log-in, lockout, session timeout, CSRF, security headers, language and large text."""

import datetime as dt
import os
import re
import runpy
from pathlib import Path

import environ
import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from fengling.testing.cast import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
HOME = reverse("reports:home")


def log_in(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- log-in and lockout --------------------------------------------------------------------


def test_login_page_has_the_form(client):
    response = client.get(LOGIN)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="username"' in html and 'name="password"' in html and "csrfmiddlewaretoken" in html


def test_right_password_logs_in_and_goes_home(client, cast):
    response = log_in(client, "community_secretary", PASSWORD)
    assert response.status_code == 302 and response.url == HOME
    assert logged_in(client)


def test_wrong_password_is_refused_and_says_so(client, cast):
    response = log_in(client, "community_secretary", "wrong-password")
    assert response.status_code == 200 and not logged_in(client)
    assert response.context["form"].errors


def test_five_wrong_passwords_lock_the_account(client, cast):
    for _ in range(5):
        log_in(client, "community_secretary", "wrong-password")
    response = log_in(client, "community_secretary", PASSWORD)
    assert response.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in response.templates]
    assert not logged_in(client)


def test_lockout_is_per_account(client, cast):
    for _ in range(5):
        log_in(client, "community_secretary", "wrong-password")
    log_in(client, "branch_secretary", PASSWORD)
    assert logged_in(client)


def test_a_successful_login_resets_the_failure_count(client, cast):
    for _ in range(4):
        log_in(client, "community_secretary", "wrong-password")
    log_in(client, "community_secretary", PASSWORD)
    assert logged_in(client)
    client.post(reverse("accounts:logout"))
    for _ in range(4):
        log_in(client, "community_secretary", "wrong-password")
    log_in(client, "community_secretary", PASSWORD)
    assert logged_in(client)


def test_anonymous_is_sent_to_login_and_back(client):
    response = client.get(reverse("organizations:tree"))
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next={reverse('organizations:tree')}"


# --- the session -----------------------------------------------------------------------------


def test_session_lasts_thirty_idle_minutes():
    assert settings.SESSION_COOKIE_AGE == 30 * 60


def _expiry(client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_reading_pages_refreshes_the_session_at_most_once_a_minute(client, cast):
    start = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        log_in(client, "street_admin", PASSWORD)
        client.get(HOME)
        first = _expiry(client)
        # Pages read within the minute write nothing to the session table.
        clock.shift(dt.timedelta(seconds=50))
        client.get(HOME)
        assert _expiry(client) == first
        # Past the minute the expiry moves forward to 30 minutes from now.
        clock.shift(dt.timedelta(seconds=20))
        client.get(HOME)
        assert _expiry(client) == start + dt.timedelta(seconds=70, minutes=30)


def test_an_anonymous_visit_creates_no_session(client, db):
    from django.contrib.sessions.models import Session

    client.get(LOGIN)
    client.get(HOME)
    # Nor does a stale or made-up session cookie.
    client.cookies[settings.SESSION_COOKIE_NAME] = "x" * 32
    client.get(HOME)
    client.get("/api/v1/openapi.json")
    assert not Session.objects.exists()


def test_session_expires_after_thirty_idle_minutes(client, cast):
    start = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        log_in(client, "street_admin", PASSWORD)
        # Active every 25 minutes for an hour and a half: the session stays alive.
        for _ in range(4):
            clock.shift(dt.timedelta(minutes=25))
            response = client.get(HOME)
            assert response.status_code == 200
            assert settings.SESSION_COOKIE_NAME in response.cookies  # refreshed each time
        # 31 idle minutes: back to the login page.
        clock.shift(dt.timedelta(minutes=31))
        response = client.get(HOME)
        assert response.status_code == 302 and response.url.startswith(LOGIN)


# --- CSRF --------------------------------------------------------------------------------------


def test_login_without_a_csrf_token_is_refused(cast):
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"username": "street_admin", "password": PASSWORD})
    assert response.status_code == 403
    assert not logged_in(client)


def test_login_with_the_csrf_token_works(cast):
    client = Client(enforce_csrf_checks=True)
    html = client.get(LOGIN).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = client.post(LOGIN, {"username": "street_admin", "password": PASSWORD,
                                   "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and logged_in(client)


def test_preference_and_logout_posts_need_the_csrf_token(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.street_admin)
    assert client.post(reverse("core:large_text"), {"on": "1"}).status_code == 403
    assert client.post(reverse("set_language"), {"language": "en"}).status_code == 403
    assert client.post(reverse("accounts:logout")).status_code == 403
    assert logged_in(client)


# --- headers and settings -------------------------------------------------------------------


@pytest.mark.parametrize("who", [None, "street_admin"])
def test_security_headers_are_sent(client, cast, who):
    if who:
        client.force_login(getattr(cast, who))
    response = client.get(HOME if who else LOGIN)
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_scripts(client, cast):
    """The CSP allows scripts from this origin only, so every <script> must have a src."""
    pages = [Client().get(LOGIN)]
    client.force_login(cast.street_admin)
    pages += [client.get(url) for url in (
        HOME, reverse("organizations:tree"),
        reverse("organizations:detail", args=[cast.community_a.pk]),
        reverse("organizations:children", args=[cast.community_a.pk]),
    )]
    for response in pages:
        url = response.wsgi_request.path
        assert response.status_code == 200, url
        html = response.content.decode()
        scripts = re.findall(r"<script\b[^>]*>", html)
        assert all("src=" in tag for tag in scripts), url
        assert not re.search(r"\son[a-z]+=", html), url  # no inline event handlers


def test_debug_is_off_unless_asked_for(monkeypatch):
    for name in ("FENGLING_DEBUG", "FENGLING_DEMO"):
        monkeypatch.delenv(name, raising=False)
    # Read the base settings as a fresh process would, without a .env file.
    monkeypatch.setattr(environ.Env, "read_env", classmethod(lambda cls, *a, **k: None))
    base = Path(settings.BASE_DIR) / "config" / "settings" / "base.py"
    assert os.environ.get("FENGLING_SECRET_KEY")  # set by the test settings
    namespace = runpy.run_path(str(base))
    assert namespace["DEBUG"] is False
    assert namespace["DEMO"] is False


# --- language and large text -----------------------------------------------------------------


def html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.content.decode()).group(0)


def test_pages_are_in_chinese_by_default(client, cast):
    client.force_login(cast.street_admin)
    assert 'lang="zh-hans"' in html_tag(client.get(HOME))


def test_language_switch_to_english_and_back(client, cast):
    client.force_login(cast.street_admin)
    response = client.post(reverse("set_language"), {"language": "en", "next": HOME})
    assert response.status_code == 302 and response.url == HOME
    page = client.get(HOME)
    assert 'lang="en"' in html_tag(page)
    assert "Welcome, street_admin" in page.content.decode()
    client.post(reverse("set_language"), {"language": "zh-hans", "next": HOME})
    assert 'lang="zh-hans"' in html_tag(client.get(HOME))


def test_large_text_mode_is_switched_on_and_off(client, cast):
    client.force_login(cast.member)
    assert "large-text" not in html_tag(client.get(HOME))
    response = client.post(reverse("core:large_text"), {"on": "1", "next": HOME})
    assert response.status_code == 302 and response.url == HOME
    assert "large-text" in html_tag(client.get(HOME))
    client.post(reverse("core:large_text"), {"on": "0", "next": HOME})
    assert "large-text" not in html_tag(client.get(HOME))


def test_large_text_works_before_logging_in(client):
    client.post(reverse("core:large_text"), {"on": "1", "next": LOGIN})
    assert "large-text" in html_tag(client.get(LOGIN))


def test_preference_redirect_stays_on_this_site(client):
    response = client.post(reverse("core:large_text"),
                           {"on": "1", "next": "https://evil.example/"})
    assert response.url == "/"
