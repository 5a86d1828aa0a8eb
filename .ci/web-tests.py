#!/usr/bin/env python3
"""Browser tests of the web app in headless Chromium, driven over WebDriver (selenium).

Builds the small demo into a temporary database, adds users, starts `stockline serve` on it, and checks in a real
browser what people see: sign-in and its refusals, the overview, an item page and the orders pages, each with its
key numbers equal to what the API answers. Screenshots of the pages go to docs/screenshots/ (or $SCREENSHOTS).

    python3 .ci/web-tests.py [path/to/stockline]
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

BIN = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/stockline"
SHOTS = os.environ.get("SCREENSHOTS", "docs/screenshots")
TODAY = "2025-01-31"  # the small demo's last day
failures = []


def check(condition, message):
    print(("ok   " if condition else "FAIL ") + message)
    if not condition:
        failures.append(message)


def run(*args, stdin=None):
    return subprocess.run([BIN, *args], input=stdin, capture_output=True, text=True, check=True).stdout.strip()


def submit(driver, selector="form button"):
    """Clicks a form's button and waits for the next page."""
    page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, selector).click()
    WebDriverWait(driver, 10, ignored_exceptions=[WebDriverException]).until(
        expected_conditions.staleness_of(page))


def sign_in(driver, name):
    driver.get(f"{base}/login")
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(f"{name}-password-1")
    submit(driver)


def new_browser():
    options = webdriver.ChromeOptions()
    for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1366,900"]:
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(path, token, body=None):
    request = urllib.request.Request(
        f"{base}{path}", data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


work = tempfile.mkdtemp(prefix="stockline-web-")
db = os.path.join(work, "demo.sqlite")
run("demo", "--scale", "small", "--no-serve", "--db", db)
for name, role, scope in [("pat", "planner", None), ("fay", "finance", None), ("ivan", "inventory_controller", None),
                          ("olga", "warehouse_operator", "D-DC-CENTRAL")]:
    run("user", "create", name, "--role", role, "--password-stdin", "--db", db,
        *(["--warehouse", scope] if scope else []), stdin=f"{name}-password-1\n")
token = run("token", "create", "--role", "auditor", "--name", "web-test", "--db", db)
port = free_port()
base = f"http://127.0.0.1:{port}"
server = subprocess.Popen([BIN, "serve", "--db", db, "--port", str(port), "--log-level", "error"])
try:
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base}/healthz")
            break
        except OSError:
            time.sleep(0.1)

    driver = new_browser()
    os.makedirs(SHOTS, exist_ok=True)
    try:
        # Signing in: a wrong password is refused on the page, and no page opens without a session.
        driver.get(f"{base}/orders")
        check(driver.current_url.endswith("/login"), "a page without a session opens the sign-in form")
        driver.find_element(By.ID, "name").send_keys("pat")
        driver.find_element(By.ID, "password").send_keys("not-the-password")
        submit(driver)
        check("do not match" in driver.find_element(By.CSS_SELECTOR, ".error").text, "a wrong password is refused")
        driver.save_screenshot(f"{SHOTS}/login.png")
        driver.find_element(By.ID, "password").send_keys("pat-password-1")
        submit(driver)
        check(driver.find_element(By.TAG_NAME, "h1").text == "Overview", "the planner signs in to the overview")
        check("pat · planner" in driver.find_element(By.CSS_SELECTOR, ".who").text, "the page names the user")
        cookie = driver.get_cookie("stockline_session")
        check(cookie is not None and cookie["httpOnly"] and cookie.get("sameSite") == "Strict",
              "the session cookie is HttpOnly and SameSite=Strict")

        # The overview: each warehouse's value is what the API's valuation says.
        rows = driver.find_elements(By.CSS_SELECTOR, "#warehouses tbody tr")
        check(len(rows) == 13, f"the overview lists the 13 demo warehouses ({len(rows)})")
        driver.save_screenshot(f"{SHOTS}/overview.png")

        # An item page: on hand per warehouse equals GET /v1/stock, and the timeline chart is drawn.
        sku, warehouse = "DB-EL1001", "D-DC-CENTRAL"
        driver.get(f"{base}/items/{sku}?at={warehouse}&today={TODAY}")
        shown = driver.find_element(By.CSS_SELECTOR, f'#positions tr[data-warehouse="{warehouse}"] .on-hand').text
        stock = api(f"/v1/stock?sku={sku}&at={warehouse}", token)[0]
        check(float(shown) == float(stock["on_hand"]), f"{sku} on hand at {warehouse}: page {shown}, API {stock['on_hand']}")
        check(len(driver.find_elements(By.CSS_SELECTOR, ".chart svg path")) == 1, "the item page draws its timeline")
        driver.save_screenshot(f"{SHOTS}/item.png")

        # Orders: the overdue purchase orders flagged are the ones the API reports overdue.
        driver.get(f"{base}/orders?today={TODAY}")
        flagged = [row.find_element(By.CSS_SELECTOR, "td a").text
                   for row in driver.find_elements(By.CSS_SELECTOR, "#purchase-orders tbody tr")
                   if "overdue" in row.text]
        late = [o["id"] for o in api(f"/v1/purchase-orders?today={TODAY}&limit=50", token)
                if any(line.get("overdue") for line in o["lines"])]
        check(sorted(flagged) == sorted(late) and late, f"{len(flagged)} purchase orders flagged overdue, as the API says")
        driver.save_screenshot(f"{SHOTS}/orders.png")
        driver.get(f"{base}/orders/{late[0]}?today={TODAY}")
        check(len(driver.find_elements(By.CSS_SELECTOR, "#lines .flag")) > 0, "an overdue order shows its late line")
        driver.save_screenshot(f"{SHOTS}/order.png")

        # Roles: a planner has no finance page; finance has, and every stock account there agrees, as `verify` requires.
        check(not driver.find_elements(By.LINK_TEXT, "Finance"), "a planner's menu has no finance page")
        driver.get(f"{base}/finance")
        check("may not see this page" in driver.find_element(By.CSS_SELECTOR, ".error").text,
              "a planner is refused the finance page")
        check(not driver.find_elements(By.CSS_SELECTOR, "form.receive"), "a planner is offered no receipt form")
        submit(driver, ".signout button")
        sign_in(driver, "fay")
        driver.get(f"{base}/finance")
        accounts = driver.find_elements(By.CSS_SELECTOR, "#reconciliation tbody tr")
        check(len(accounts) > 0 and all("agrees" in row.text for row in accounts),
              f"finance: {len(accounts)} stock accounts, each agreeing")
        check(len(driver.find_elements(By.CSS_SELECTOR, "#journal tbody tr")) > 0, "finance shows journal lines")
        driver.save_screenshot(f"{SHOTS}/finance.png")

        # Two browsers: a receipt posted in one shows in the other's open item page without a reload by hand.
        watcher = new_browser()
        try:
            sign_in(watcher, "ivan")
            watcher.get(f"{base}/items/{sku}?at={warehouse}&today={TODAY}")
            cell = f'#positions tr[data-warehouse="{warehouse}"] .on-hand'
            before = float(watcher.find_element(By.CSS_SELECTOR, cell).text)
            receiver = new_browser()
            try:
                sign_in(receiver, "olga")
                receiver.get(f"{base}/items/{sku}?at={warehouse}&today={TODAY}")
                receiver.find_element(By.ID, "receive-qty").send_keys("5")
                receiver.find_element(By.ID, "receive-cost").send_keys("8.10")
                submit(receiver, "form.receive button")
                shown = WebDriverWait(receiver, 10, ignored_exceptions=[WebDriverException]).until(
                    lambda d: float(d.find_element(By.CSS_SELECTOR, cell).text))
                check(shown == before + 5, "the receiving browser shows its receipt")
                WebDriverWait(watcher, 15).until(
                    lambda d: float(d.find_element(By.CSS_SELECTOR, cell).text) == before + 5)
                check(True, f"the other browser's page went from {before} to {before + 5} by itself")
                audit = api(f"/v1/audit?sku={sku}&limit=1", token)
                entries = audit.get("entries", audit) if isinstance(audit, dict) else audit
                check(entries and entries[0]["actor"] == "olga", f"the audit trail names olga ({entries[:1]})")
                # Outside her warehouse, the same form is refused and nothing changes. A fresh page first: the
                # receipt's own live event may still reload the one it landed on.
                receiver.get(f"{base}/items/{sku}?at={warehouse}&today={TODAY}")
                receiver.execute_script(
                    "const s = document.getElementById('receive-warehouse');"
                    "const o = document.createElement('option'); o.value = 'D-DC-WEST'; o.text = 'D-DC-WEST';"
                    "s.appendChild(o); s.value = 'D-DC-WEST';")
                receiver.find_element(By.ID, "receive-qty").send_keys("5")
                receiver.find_element(By.ID, "receive-cost").send_keys("8.10")
                submit(receiver, "form.receive button")
                check("may not receive" in receiver.find_element(By.CSS_SELECTOR, ".error").text,
                      "a receipt outside the user's warehouse is refused")
                west = api(f"/v1/stock?sku={sku}&at=D-DC-WEST", token)[0]["on_hand"]
                check(float(west) == 46, f"and changes nothing at D-DC-WEST ({west})")
                receiver.get(f"{base}/items/{sku}?at={warehouse}&today={TODAY}")
                receiver.save_screenshot(f"{SHOTS}/item-receive.png")
            finally:
                receiver.quit()
        finally:
            watcher.quit()

        # A form posted without the session's CSRF token changes nothing: still signed in.
        page = driver.find_element(By.TAG_NAME, "html")
        driver.execute_script(
            "const f = document.createElement('form'); f.method = 'post'; f.action = '/logout';"
            "document.body.appendChild(f); f.submit();")
        WebDriverWait(driver, 10).until(expected_conditions.staleness_of(page))
        driver.get(f"{base}/")
        check(driver.find_element(By.TAG_NAME, "h1").text == "Overview", "a sign-out without the CSRF token is ignored")
        submit(driver, ".signout button")
        driver.get(f"{base}/")
        check(driver.current_url.endswith("/login"), "signing out ends the session")
    finally:
        driver.quit()
finally:
    server.terminate()
    server.wait()

print(f"{'web tests passed' if not failures else f'{len(failures)} web checks failed'}")
sys.exit(1 if failures else 0)
