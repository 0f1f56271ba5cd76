"""The index distribution chart in a real browser (headless Chromium): ECharts draws the
histogram from the page's json_script data, and clicking a bar opens the members of its
band. Skipped when Debian's chromium and chromedriver are not installed."""

import datetime as dt
from decimal import Decimal as D

from fengling.testing.browser import BROWSER_MARKS, login

from .test_scores import credit

pytestmark = BROWSER_MARKS


def test_distribution_bar_drills_down_to_its_band(live_server, cast, browser):  # noqa: F811
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    credit(cast.member_a, D(30))
    credit(cast.member_a2, D(12), month=dt.date(2026, 2, 1))
    credit(cast.member_b, D(14))
    login(browser, live_server.url, "district_admin")
    browser.get(f"{live_server.url}/evaluation/distributions/?year=2026")
    chart = browser.find_element(By.ID, "dist-total")
    # After the opening animation, when the bars have their final height.
    WebDriverWait(browser, 10).until(lambda d: chart.get_attribute("data-rendered") == "1")
    assert chart.find_elements(By.TAG_NAME, "canvas")
    # The second bar (10–20 points: 王五 and 赵六): its pixel position from ECharts.
    x, y = browser.execute_script(
        "var c = echarts.getInstanceByDom(document.getElementById('dist-total'));"
        "return c.convertToPixel({seriesIndex: 0}, [1, 1]);")
    size = chart.size
    ActionChains(browser).move_to_element_with_offset(
        chart, int(x - size["width"] / 2), int(y - size["height"] / 2)).click().perform()
    WebDriverWait(browser, 10).until(lambda d: "/evaluation/rankings/members/" in d.current_url)
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "王五" in body and "赵六" in body and "张三" not in body
