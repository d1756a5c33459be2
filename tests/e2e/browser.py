"""browser.py -- headless Chromium under Selenium, for the browser tests
(docs_browser.py, signin_browser.py): the driver's start, the bounded
wait, the console log

Debian's chromium, chromium-driver and python3-selenium; nothing is
downloaded.  Every wait is bounded (WAIT_S) and waits for an outcome,
never for time to pass.
"""

import os

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

WAIT_S = 20


class Failed(Exception):
    """A check that did not hold: its message says expected and got."""


def start(chromium, chromedriver, workdir):
    """Headless Chromium under chromedriver, its console log kept, its
    profile, home and logs in workdir."""
    os.makedirs(workdir, exist_ok=True)
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    # No sandbox: the test may run as root or in a container without
    # user namespaces; the pages are our own, served from loopback.
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu",
              "--disable-dev-shm-usage", "--no-first-run",
              "--disable-background-networking", "--disable-sync",
              "--disable-component-update", "--window-size=1280,1600",
              "--user-data-dir=" + os.path.join(workdir, "profile")):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    env = dict(os.environ, HOME=workdir,
               XDG_CONFIG_HOME=os.path.join(workdir, "config"),
               XDG_CACHE_HOME=os.path.join(workdir, "cache"))
    service = Service(executable_path=chromedriver,
                      log_path=os.path.join(workdir, "chromedriver.log"),
                      env=env)
    driver = webdriver.Chrome(service=service, options=opts)
    driver.set_page_load_timeout(WAIT_S)
    return driver


def wait(driver, cond, what):
    """cond's first true value within WAIT_S, or Failed naming what."""
    try:
        return WebDriverWait(driver, WAIT_S).until(cond)
    except TimeoutException:
        raise Failed("waited %d s for %s" % (WAIT_S, what)) from None


def console_errors(driver, seen):
    """Append the browser's new console lines to seen; return the errors."""
    new = driver.get_log("browser")
    seen.extend(new)
    return [e for e in new if e.get("level") == "SEVERE"]
