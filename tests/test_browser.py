"""The web page in a real browser: headless Chromium (Debian's `chromium` and
`chromium-driver`, installed by `make browser`) driven by selenium, against uvicorn on a free
loopback port with a fake chat model. Skips, naming the install command, where it is absent."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from fitcoach.agent.serve import create_app
from tests.test_serve import EVIDENCE_Q, make_parts

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
INSTALL = "make browser  (apt-get install chromium chromium-driver)"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--window-size=1000,1300",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server() -> Iterator[str]:
    """uvicorn in a thread on 127.0.0.1, serving a Coach with the fake chat model."""
    import uvicorn

    settings, coach, library = make_parts()
    app = create_app(settings, coach=coach, library=library)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def browser() -> Iterator[object]:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip(f"Chromium is not installed; install it with: {INSTALL}")
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium: pip install -e '.[dev]'")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    # An explicit driver path: selenium must not try to download one.
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def _wait(driver: object, condition: object, timeout: float = 20) -> object:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def test_page_shows_the_referral_first_and_opens_a_citation(
    server: str, browser: object, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec

    driver = browser
    driver.get(server + "/")
    assert driver.title == "fitcoach"

    # 1. A red-flag profile: the red banner names the professional and comes before the answer.
    driver.find_element(By.ID, "question").send_keys("Can I keep doing HIIT twice a week?")
    driver.find_element(By.CSS_SELECTOR, "#profile summary").click()
    driver.find_element(By.ID, "p-age").send_keys("31")
    driver.find_element(By.ID, "p-pregnant").click()
    driver.find_element(By.ID, "p-week").send_keys("30")
    driver.find_element(By.ID, "p-symptoms").send_keys("vaginal bleeding")
    driver.find_element(By.ID, "ask-button").click()
    # the screen's flags arrive first; the verified answer then re-draws them
    _wait(driver, ec.visibility_of_element_located((By.ID, "referral")))
    _wait(driver, lambda d: "Answered by" in d.find_element(By.ID, "status").text)
    banner = driver.find_element(By.ID, "referral")
    assert "see an obstetric care provider" in banner.text
    assert banner.get_attribute("role") == "alert"
    red = banner.value_of_css_property("background-color")
    assert red.startswith("rgba(179, 38, 30") or red.startswith("rgb(179, 38, 30")
    answer = driver.find_element(By.ID, "answer")
    assert banner.location["y"] < answer.location["y"]  # safety first, on screen
    first_block = driver.find_element(By.CSS_SELECTOR, "#result > div > *")
    assert first_block.get_attribute("id") == "referral"
    driver.save_screenshot(str(tmp_path / "referral.png"))

    # 2. An evidence question (no profile): the answer cites [1]; its button opens the quote.
    question = driver.find_element(By.ID, "question")
    question.clear()
    for field in ("p-age", "p-week", "p-symptoms"):
        driver.find_element(By.ID, field).clear()
    driver.find_element(By.ID, "p-pregnant").click()
    question.send_keys(EVIDENCE_Q)
    question.send_keys(Keys.CONTROL, Keys.ENTER)  # the keyboard shortcut submits
    cite = _wait(driver, ec.element_to_be_clickable((By.CSS_SELECTOR, "#answer button.cite")))
    assert driver.find_elements(By.ID, "referral") == []
    reference = driver.find_element(By.ID, "ref-1")
    assert reference.get_attribute("open") is None
    quote = reference.find_element(By.CSS_SELECTOR, "blockquote")
    assert not quote.is_displayed()
    cite.send_keys(Keys.ENTER)  # keyboard works: the citation is a real button
    _wait(driver, lambda d: quote.is_displayed())
    assert "1.4-2.0 g of protein per kg" in quote.text
    link = reference.find_element(By.CSS_SELECTOR, "a")
    assert link.get_attribute("href") == "https://doi.org/10.1186/s12970-017-0177-8"
    assert "References" in driver.find_element(By.ID, "refs-box").text
    shot = tmp_path / "answer.png"
    driver.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000

    # 3. The library view lists the documents.
    driver.find_element(By.ID, "tab-library").click()
    _wait(driver, lambda d: "4 documents" in d.find_element(By.ID, "lib-count").text)
    rows = driver.find_elements(By.CSS_SELECTOR, "#documents tbody tr")
    assert len(rows) == 4
    logs = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert logs == [], logs
