"""Where a request came from (core.net.client_ip): REMOTE_ADDR unless a trusted proxy says."""

import pytest
from django.test import RequestFactory

from fengling.core.net import client_ip, user_agent


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        # Default: the header is anyone's to write, so it is ignored.
        ([], "10.0.0.1", "203.0.113.9", "10.0.0.1"),
        ([], "10.0.0.1", "", "10.0.0.1"),
        ([], "2001:db8::1", "203.0.113.9", "2001:db8::1"),
        # Behind our proxy: the client is the last address before our proxies.
        (["10.0.0.1"], "10.0.0.1", "203.0.113.9", "203.0.113.9"),
        (["10.0.0.0/8"], "10.0.0.1", "198.51.100.7, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (["10.0.0.0/8"], "10.0.0.1", "203.0.113.9:4711", "203.0.113.9"),
        (["10.0.0.0/8"], "10.0.0.1", "[2001:db8::5]:443", "2001:db8::5"),
        # A peer that is not our proxy cannot claim another address.
        (["10.0.0.0/8"], "192.0.2.1", "203.0.113.9", "192.0.2.1"),
        # Garbage in the header: stop at the last hop we can vouch for.
        (["10.0.0.0/8"], "10.0.0.1", "not-an-ip", "10.0.0.1"),
        (["10.0.0.0/8"], "10.0.0.1", "", "10.0.0.1"),
        ([], "", "", None),
    ],
)
def test_client_ip(settings, trusted, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_user_agent_is_cut_to_a_limit():
    request = RequestFactory().get("/", HTTP_USER_AGENT="x" * 1000)
    assert len(user_agent(request)) == 300
    assert user_agent(RequestFactory().get("/")) == ""
