"""Take the README's screenshots in headless Chromium (Debian `chromium` + `chromedriver`).

Start a server on the demo data first (`make demo`, or `fengling runserver`), then:

    .venv/bin/python scripts/screenshots.py [--base http://127.0.0.1:8000] [--out docs/screenshots]

It logs in through the login form as a real user would, then saves each page at a desktop
and a phone width.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

ORG_LINK = "main a[href^='/organizations/'][href$='/']:not([href='/organizations/'])"
MEMBER_LINK = (
    "main a[href^='/members/'][href$='/']:not([href='/members/']):not([href='/members/new/'])"
)
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


def browser(width: int, height: int) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                 f"--user-data-dir={tempfile.mkdtemp()}", f"--window-size={width},{height}",
                 "--lang=zh-CN"):
        options.add_argument(flag)
    # Pages follow the browser's language: ask for Chinese, as our users' browsers do.
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    driver.set_window_size(width, height)
    return driver


def login(driver, base: str, username: str, password: str) -> None:
    driver.get(f"{base}/accounts/login/")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit], form .btn-primary").click()


def full_page(driver, path: Path, width: int) -> None:
    """Resize to the page's full height so the picture shows the whole page."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(max(height, 600), 4000))
    driver.save_screenshot(str(path))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--password", default=os.environ.get("FENGLING_DEMO_PASSWORD",
                                                             "Fengling-demo-2026"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    shots = [
        ("community_secretary", "home", "/"),
        ("community_secretary", "tree", "/organizations/"),
        ("community_secretary", "organization", "@own-organization"),
        ("community_secretary", "members", "/members/"),
        ("community_secretary", "member", "@first-member"),
        ("district_admin", "home-district", "/"),
        ("member", "home-member", "/"),
    ]
    for label, (width, height) in WIDTHS.items():
        driver = browser(width, height)
        try:
            current = None
            for username, name, target in shots:
                if username != current:
                    driver.delete_all_cookies()
                    login(driver, args.base, username, args.password)
                    current = username
                driver.set_window_size(width, height)
                if target == "@own-organization":
                    driver.get(f"{args.base}/organizations/")
                    link = driver.find_element(By.CSS_SELECTOR, ORG_LINK)
                    driver.get(link.get_attribute("href"))
                elif target == "@first-member":
                    driver.get(f"{args.base}/members/")
                    link = driver.find_element(By.CSS_SELECTOR, MEMBER_LINK)
                    driver.get(link.get_attribute("href"))
                else:
                    driver.get(args.base + target)
                full_page(driver, out / f"{name}-{label}.png", width)
                print(out / f"{name}-{label}.png")
        finally:
            driver.quit()


if __name__ == "__main__":
    main()
