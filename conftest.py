import pytest

from fengling.testing.cast import build_cast

# The `browser` fixture (headless Chromium) of the browser tests: fengling/testing/browser.py.
pytest_plugins = ["fengling.testing.browser"]


@pytest.fixture
def cast(db):
    """The fixed cast: see fengling/testing/cast.py for the tree and the users."""
    return build_cast()


@pytest.fixture(autouse=True)
def _english_off(settings):
    """Pages render in the default language (Chinese) unless a test asks otherwise."""
    settings.LANGUAGE_CODE = "zh-hans"
