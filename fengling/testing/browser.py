"""Headless Chromium for the tests that walk pages in a real browser (Debian's `chromium` and
`chromedriver`). `pytestmark = [*BROWSER_MARKS]` skips a module when they are not installed;
the `browser` fixture (import it into the test module) gives one driver, `chromium()` more."""

import shutil
import tempfile

import pytest

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"

BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)),
                       reason="needs Debian chromium and chromedriver "
                              "(apt-get install chromium chromium-driver)"),
]


def chromium(*extra_flags: str):
    """A headless Chromium that asks for Chinese pages, as our users' browsers do."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", f"--user-data-dir={tempfile.mkdtemp()}",
                 "--window-size=1280,900", "--lang=zh-CN", *extra_flags):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.implicitly_wait(5)
    return driver


@pytest.fixture
def browser():
    driver = chromium()
    yield driver
    driver.quit()


def login(driver, base, username):
    """Sign in through the login page with the cast's password."""
    from selenium.webdriver.common.by import By

    from fengling.testing.cast import PASSWORD

    driver.delete_all_cookies()
    driver.get(f"{base}/accounts/login/")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form .btn-primary").click()
    driver.find_element(By.CSS_SELECTOR, "nav .navbar-nav")  # logged in: the menu is there
