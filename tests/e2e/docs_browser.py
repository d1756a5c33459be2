#!/usr/bin/env python3
"""docs_browser.py -- /docs in headless Chromium, driven by Selenium

Run by tests/e2e/docs.sh against its lighttpd (--url): loads /docs, and
checks that Swagger UI renders with no console error, lists every
operation of the API document (--openapi, the file the server serves at
/openapi.json), logs in as alice through the Authorize dialog (the
document's OAuth2 password flow, tokenUrl /auth/login) and that "Try it
out" of GET /me shows {"username": "alice", "role": "admin"}.  Saves a
screenshot (--screenshot) whether it passes or not.  Prints what it
expected and got on failure; exit status 0 or 1.  Every wait is bounded
(browser.py's WAIT_S) and waits for an outcome, never for time to pass.
"""

import argparse
import json
import sys

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

import browser
from browser import Failed, console_errors, wait

METHODS = ("get", "put", "post", "delete", "options", "head", "patch",
           "trace")
EXPECTED_ME = {"username": "alice", "role": "admin"}


def operations(doc):
    """The (METHOD, path) of every operation of an OpenAPI document."""
    return sorted((m.upper(), path) for path, item in doc["paths"].items()
                  for m in METHODS if m in item)


def check_listed(driver, doc):
    wait(driver, EC.presence_of_element_located((By.CSS_SELECTOR,
         ".opblock")), "Swagger UI to list the operations")
    got = sorted(
        (b.find_element(By.CSS_SELECTOR, ".opblock-summary-method").text
         .strip().upper(),
         b.find_element(By.CSS_SELECTOR, ".opblock-summary-path")
         .get_attribute("data-path"))
        for b in driver.find_elements(By.CSS_SELECTOR, ".opblock"))
    want = operations(doc)
    if got != want:
        raise Failed("operations listed:\n  expected: %s\n       got: %s"
                     % (want, got))
    return len(got)


def authorize(driver, user, password):
    driver.find_element(By.CSS_SELECTOR,
                        ".scheme-container button.authorize").click()
    modal = wait(driver, EC.visibility_of_element_located((By.CSS_SELECTOR,
                 ".modal-ux")), "the Authorize dialog")
    modal.find_element(By.ID, "oauth_username").send_keys(user)
    modal.find_element(By.ID, "oauth_password").send_keys(password)
    modal.find_element(By.CSS_SELECTOR, "button.modal-btn.authorize").click()

    def outcome(d):
        for b in d.find_elements(By.CSS_SELECTOR, ".modal-ux button"):
            if b.text.strip() == "Logout":
                return "ok"
        errs = d.find_elements(By.CSS_SELECTOR, ".modal-ux .errors")
        text = " ".join(e.text for e in errs).strip()
        return text or False
    got = wait(driver, outcome, "the Authorize dialog's Logout button")
    if got != "ok":
        raise Failed("Authorize as %s: %s" % (user, got))
    driver.find_element(By.CSS_SELECTOR, ".modal-ux button.btn-done").click()
    wait(driver, EC.invisibility_of_element_located((By.CSS_SELECTOR,
         ".modal-ux")), "the Authorize dialog to close")


def try_me(driver):
    block = driver.find_element(By.XPATH,
        "//div[contains(@class,'opblock-get')][.//*[contains(@class,"
        "'opblock-summary-path') and @data-path='/me']]")
    block.find_element(By.CSS_SELECTOR, ".opblock-summary-control").click()
    wait(driver, lambda d: block.find_elements(By.CSS_SELECTOR,
         ".try-out__btn"), "the Try it out button of GET /me")
    block.find_element(By.CSS_SELECTOR, ".try-out__btn").click()
    wait(driver, lambda d: block.find_elements(By.CSS_SELECTOR,
         "button.execute"), "the Execute button of GET /me")
    block.find_element(By.CSS_SELECTOR, "button.execute").click()
    wait(driver, lambda d: block.find_elements(By.CSS_SELECTOR,
         ".live-responses-table tbody .response-col_status"),
         "the response of GET /me")
    status = block.find_element(By.CSS_SELECTOR,
        ".live-responses-table tbody .response-col_status").text.strip()
    bodies = []
    for pre in block.find_elements(By.CSS_SELECTOR,
                                   ".live-responses-table pre"):
        try:
            bodies.append(json.loads(pre.text))
        except ValueError:
            pass
    if status != "200" or EXPECTED_ME not in bodies:
        raise Failed("Try it out of GET /me:\n  expected: 200 %s\n"
                     "       got: %s %s" % (json.dumps(EXPECTED_ME),
                                            status, bodies))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--openapi", required=True)
    ap.add_argument("--chromium", required=True)
    ap.add_argument("--chromedriver", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--screenshot", required=True)
    args = ap.parse_args()
    with open(args.openapi, encoding="utf-8") as f:
        doc = json.load(f)

    driver = browser.start(args.chromium, args.chromedriver, args.workdir)
    log = []
    try:
        driver.get(args.url + "/docs")
        n = check_listed(driver, doc)
        errs = console_errors(driver, log)
        if errs:
            raise Failed("console errors after loading /docs/: %s" % errs)
        authorize(driver, "alice", "alicepass")
        try_me(driver)
        errs = console_errors(driver, log)
        if errs:
            raise Failed("console errors after login and /me: %s" % errs)
        print("# docs: %d operations listed, Authorize as alice, GET /me"
              " as alice; %d console lines, no error" % (n, len(log)))
        return 0
    except (Failed, WebDriverException) as e:
        print("#   %s" % str(e).replace("\n", "\n#   "))
        try:
            console_errors(driver, log)
        except WebDriverException:
            pass
        for entry in log:
            print("#   console %s: %s" % (entry.get("level"),
                                          entry.get("message")))
        return 1
    finally:
        try:
            driver.save_screenshot(args.screenshot)
        finally:
            driver.quit()


if __name__ == "__main__":
    sys.exit(main())
