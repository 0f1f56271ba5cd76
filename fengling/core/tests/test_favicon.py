"""/favicon.ico: browsers ask for it on their own; they get the site's icon."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_favicon_ico_leads_to_the_sites_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].startswith(settings.STATIC_URL)
    assert "favicon" in response["Location"] and response["Location"].endswith(".svg")
    # No page is rendered for it, so it sets no CSRF cookie of its own: a browser asking
    # for it beside a page keeps the page's token valid.
    assert settings.CSRF_COOKIE_NAME not in response.cookies
    assert client.get(response["Location"]).status_code in (200, 304)
