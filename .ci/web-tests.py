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
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
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


def new_browser(size="1366,900"):
    options = webdriver.ChromeOptions()
    for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={size}"]:
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


def gtin_check(digits):
    """The GS1 check digit of the first 13 digits of a GTIN-14."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def wait_for(driver, condition, seconds=20):
    return WebDriverWait(driver, seconds, ignored_exceptions=[WebDriverException]).until(condition)


def text_of(driver, selector):
    found = driver.find_elements(By.CSS_SELECTOR, selector)
    return found[0].text if found else ""


def accessible(driver, page):
    """The page has a language, one main heading, and a label for every field a person fills in."""
    problems = driver.execute_script("""
        const problems = [];
        if (!document.documentElement.lang) problems.push('no lang');
        if (document.querySelectorAll('h1').length > 1) problems.push('more than one h1');
        for (const field of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
          const labelled = field.getAttribute('aria-label') || field.closest('label')
            || (field.id && document.querySelector(`label[for="${field.id}"]`));
          if (!labelled) problems.push(`unlabelled ${field.tagName.toLowerCase()} ${field.id || field.name}`);
        }
        for (const image of document.querySelectorAll('img:not([alt])')) problems.push('image without alt');
        return problems;""")
    check(not problems, f"{page}: lang, headings and labels ({problems or 'all there'})")
    # What the page needs before it can paint: the document, its styles, scripts and images (not data it fetches).
    weight = driver.execute_script("""
        const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')
          .filter(e => ['link', 'script', 'css', 'img'].includes(e.initiatorType))];
        return entries.reduce((sum, e) => sum + (e.decodedBodySize || 0), 0);""")
    check(0 < weight <= 200 * 1024, f"{page}: {weight / 1024:.1f} KB before first paint (at most 200 KB)")


def network(driver, online):
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
        "offline": not online, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})


def scan(driver, text):
    field = driver.find_element(By.ID, "scan")
    field.send_keys(text)
    field.send_keys(Keys.ENTER)


def tap(driver, selector):
    """Clicks what `selector` finds; the app redraws often, so a button gone stale is found again."""
    wait_for(driver, lambda d: d.find_element(By.CSS_SELECTOR, selector).click() or True)


def queued_actions(driver):
    return driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const open = indexedDB.open("stockline-scanner");
        open.onsuccess = () => {
          const request = open.result.transaction("actions").objectStore("actions").getAll();
          request.onsuccess = () => done(request.result);
        };""")


def scanner_checks():
    """The handheld as olga at D-DC-CENTRAL: GS1 receipt against a PO, five actions offline, one conflict."""
    hand = new_browser("412,915")
    try:
        hand.get(f"{base}/login?next=/scan/")
        hand.find_element(By.ID, "name").send_keys("olga")
        hand.find_element(By.ID, "password").send_keys("olga-password-1")
        submit(hand)
        wait_for(hand, lambda d: d.find_element(By.CSS_SELECTOR, 'button[data-mode="receive"]'))
        check(hand.current_url.endswith("/scan/") and text_of(hand, "#status") == "online",
              "olga signs in to the scanner, online")
        hand.execute_async_script(
            "const done = arguments[0]; navigator.serviceWorker.ready.then(() => done(true));")
        wait_for(hand, lambda d: d.execute_script("return !!navigator.serviceWorker.controller"))
        check(True, "the service worker controls the scanner")
        check(hand.execute_script("return document.querySelector('link[rel=manifest]') !== null"),
              "the scanner has a web app manifest")

        # GS1 element strings: identifiers, the group separator, day 00 and the printed form.
        parsed = hand.execute_script("return GS1.parse(arguments[0])", "]C1010950110153000317271200\x1d10LOT-7\x1d3012")
        check(parsed == {"gtin": "09501101530003", "expiry": "2027-12-31", "lot": "LOT-7", "count": "12"},
              f"a GS1 string is parsed: GTIN, expiry (day 00 is the month's end), lot, count ({parsed})")
        printed = hand.execute_script("return GS1.parse('(01)09501101530003(21)SN-42')")
        check(printed == {"gtin": "09501101530003", "serial": "SN-42"}, f"the printed form is parsed ({printed})")
        refused = hand.execute_script("try { GS1.parse('0109501101530004'); return ''; } catch (e) { return e.message; }")
        check("check digit" in refused, f"a wrong check digit is refused ({refused})")

        catalog = hand.execute_async_script(
            "const done = arguments[0]; fetch('/scan/api/catalog').then(r => r.json()).then(done);")
        items = {item["sku"]: item for item in catalog["items"]}
        receivable = [(order, line) for order in catalog["purchaseOrders"] for line in order["lines"]
                      if items[line["sku"]].get("gtin") and items[line["sku"]]["tracking"] != "serial"
                      and float(line["open"]) >= 10]
        (po, line), (po2, line2) = receivable[0], next(r for r in receivable if r[0]["id"] != receivable[0][0]["id"])
        item = items[line["sku"]]
        before = {l["sku"]: l for l in api(f"/v1/orders/{po['id']}", token)["lines"]}[line["sku"]]

        # Receive against a PO by scanning its label.
        tap(hand, 'button[data-mode="receive"]')
        tap(hand, f'button[data-order="{po["id"]}"]')
        gtin = item["gtin"].rjust(14, "0")
        label = f"]C101{gtin}17271231" + ("10LOT-W1" if item["tracking"] == "lot" else "304")
        scan(hand, label)
        check(item["sku"] in text_of(hand, "#item"), f"the label {label} names {item['sku']}")
        accessible(hand, "scanner")
        hand.save_screenshot(f"{SHOTS}/scanner-receive.png")
        quantity = hand.find_element(By.ID, "qty")
        if item["tracking"] == "lot":
            check(hand.find_element(By.ID, "lot").get_attribute("value") == "LOT-W1", "the lot comes from the label")
        else:
            check(quantity.get_attribute("value") == "4", "the quantity comes from the label's count")
        quantity.clear()
        quantity.send_keys("4")
        tap(hand, "#do")
        wait_for(hand, lambda d: d.find_element(By.CSS_SELECTOR, "#queue li").get_attribute("data-state") == "posted")
        after = {l["sku"]: l for l in api(f"/v1/orders/{po['id']}", token)["lines"]}[line["sku"]]
        check(float(after["received"]) == float(before["received"]) + 4,
              f"the scan received 4 on {po['id']} ({before['received']} → {after['received']})")
        trail = api(f"/v1/audit?actor=olga&limit=5", token)
        trail = trail.get("entries", trail) if isinstance(trail, dict) else trail
        check(trail and trail[0]["source"] == "scanner" and trail[0]["kind"] == "receive",
              "the audit trail names olga and the scanner")

        # Offline: the shell and the catalogue still open; five actions and one that will conflict wait in the queue.
        network(hand, False)
        hand.refresh()
        wait_for(hand, lambda d: d.find_element(By.CSS_SELECTOR, 'button[data-mode="receive"]'))
        check(text_of(hand, "#status") == "offline", "offline, the scanner opens from its cache")
        tap(hand, 'button[data-mode="receive"]')
        tap(hand, f'button[data-order="{po["id"]}"]')
        scan(hand, item["sku"])
        hand.find_element(By.ID, "qty").clear()
        hand.find_element(By.ID, "qty").send_keys("2")
        if item["tracking"] == "lot":
            hand.find_element(By.ID, "lot").send_keys("LOT-W2")
        tap(hand, "#do")
        expected_open = float(line["open"]) - 6
        shown_open = wait_for(hand, lambda d: d.find_element(
            By.CSS_SELECTOR, f'.lines tr[data-sku="{line["sku"]}"] td.n').text)
        check(float(shown_open.split()[0]) == expected_open,
              f"offline, the handheld counts its queued receipt against the line ({shown_open}, {expected_open:g} expected)")
        tap(hand, "button.back")

        stocked = [i for i in catalog["items"] if i["tracking"] == "none" and i["stock"]
                   and float(i["stock"][0]["qty"]) - float(i["stock"][0]["reserved"]) >= 3]
        moved, counted = stocked[0], stocked[1]
        tap(hand, 'button[data-mode="putaway"]')
        scan(hand, moved["sku"])
        hand.find_element(By.ID, "qty").clear()
        hand.find_element(By.ID, "qty").send_keys("1")
        source = hand.find_element(By.ID, "from").get_attribute("value")
        target = hand.find_element(By.ID, "to").get_attribute("value")
        tap(hand, "#do")
        tap(hand, "button.back")
        tap(hand, 'button[data-mode="transfer"]')
        scan(hand, moved["sku"])
        hand.find_element(By.ID, "qty").clear()
        hand.find_element(By.ID, "qty").send_keys("1")
        tap(hand, "#do")
        tap(hand, "button.back")
        tap(hand, 'button[data-mode="count"]')
        location = counted["stock"][0]["location"]
        scan(hand, location)
        scan(hand, counted["sku"])
        check(hand.find_elements(By.ID, "blind") and not hand.find_elements(By.ID, "system"),
              "a warehouse operator's count is blind")
        system = sum(float(s["qty"]) for s in counted["stock"] if s["location"] == location)
        hand.find_element(By.ID, "qty").send_keys(str(int(system) - 1))
        tap(hand, "#do")
        tap(hand, "button.back")
        order = next(o for o in catalog["salesOrders"] if any(float(l.get("reserved") or 0) > 0 for l in o["lines"]))
        tap(hand, 'button[data-mode="pick"]')
        tap(hand, f'button[data-order="{order["id"]}"]')
        for button in hand.find_elements(By.CSS_SELECTOR, ".lines button"):
            button.click()
        tap(hand, "#do")
        tap(hand, "button.back")
        tap(hand, 'button[data-mode="receive"]')
        tap(hand, f'button[data-order="{po2["id"]}"]')
        scan(hand, line2["sku"])
        hand.find_element(By.ID, "qty").clear()
        hand.find_element(By.ID, "qty").send_keys("1")
        if items[line2["sku"]]["tracking"] == "lot":
            hand.find_element(By.ID, "lot").send_keys("LOT-W3")
        tap(hand, "#do")
        tap(hand, "button.back")
        waiting = [a for a in queued_actions(hand) if a["state"] == "queued"]
        check(len(waiting) == 6 and text_of(hand, "#pending") == "6", f"offline, six actions wait ({len(waiting)})")
        # Meanwhile the second order is closed at the office.
        api("/v1/postings", admin, {"close": {"order": po2["id"]}})

        network(hand, True)
        wait_for(hand, lambda d: text_of(d, "#pending") == "0" and text_of(d, "#conflicts") == "1", 40)
        actions = {a["key"]: a for a in queued_actions(hand)}
        posted = [a for a in actions.values() if a["state"] == "posted"]
        trail = api(f"/v1/audit?actor=olga&limit=50", token)
        trail = trail.get("entries", trail) if isinstance(trail, dict) else trail
        keys = [entry["key"] for entry in trail]
        check(len(posted) == 6 and all(keys.count(a["key"]) == 1 for a in posted),
              f"back online, the five actions (and the first receipt) are posted once each ({len(posted)} posted)")
        final = {l["sku"]: l for l in api(f"/v1/orders/{po['id']}", token)["lines"]}[line["sku"]]
        check(float(final["received"]) == float(before["received"]) + 6, f"{po['id']} received 4 + 2")
        shipped = api(f"/v1/orders/{order['id']}", token)
        check(any(float(l.get("shipped") or 0) > 0 for l in shipped["lines"]), f"{order['id']} was picked and shipped")
        at_target = api(f"/v1/stock?sku={moved['sku']}&at={target}", token)[0]["on_hand"]
        check(float(at_target) >= 1, f"{moved['sku']} was put away from {source} to {target} ({at_target})")
        # The same action sent again (an answer lost on the way) is the same posting, not a second one.
        again = hand.execute_async_script("""
            const [action, csrf, done] = arguments;
            const { state, summary, created, posting, answered, ...body } = action;
            fetch('/scan/api/actions', {method: 'POST', headers: {'Content-Type': 'application/json',
              'X-CSRF-Token': csrf}, body: JSON.stringify(body)})
              .then(r => r.json()).then(done);""", posted[0], catalog["csrf"])
        recount = api(f"/v1/audit?actor=olga&limit=50", token)
        recount = recount.get("entries", recount) if isinstance(recount, dict) else recount
        check(again.get("posting") == posted[0]["posting"] and len(recount) == len(trail),
              f"an action sent twice posts once ({again})")
        conflict = hand.find_element(By.CSS_SELECTOR, "#queue li.conflict")
        reason = conflict.find_element(By.CSS_SELECTOR, ".reason").text
        check("invalid_state" in reason and po2["id"] in conflict.text,
              f"the receipt against the closed order is a conflict with its reason ({reason})")
        check([b.text for b in conflict.find_elements(By.TAG_NAME, "button")] == ["Try again", "Discard"],
              "the conflict offers its choices")
        hand.save_screenshot(f"{SHOTS}/scanner.png")
        key = conflict.get_attribute("data-key")
        tap(hand, f'#queue li[data-key="{key}"] .conflict button:last-child')
        wait_for(hand, lambda d: d.find_element(
            By.CSS_SELECTOR, f'#queue li[data-key="{key}"]').get_attribute("data-state") == "discarded")
        check(text_of(hand, "#conflicts") == "0", "a discarded conflict leaves the queue, nothing posted")
    finally:
        hand.quit()


work = tempfile.mkdtemp(prefix="stockline-web-")
db = os.path.join(work, "demo.sqlite")
run("demo", "--scale", "small", "--no-serve", "--db", db)
# Each role's menu and receipt form: finance for roles that read accounting, audit for those that read the trail,
# the receipt form for those that may receive.
ROLES = {  # role: (finance, audit, receive)
    "admin": (True, True, True), "inventory_controller": (True, True, True), "warehouse_operator": (False, False, True),
    "planner": (False, False, False), "buyer": (False, False, True), "finance": (True, True, False),
    "auditor": (True, True, False), "integration": (False, False, True),
}
PEOPLE = [("pat", "planner", None), ("fay", "finance", None), ("ivan", "inventory_controller", None),
          ("olga", "warehouse_operator", "D-DC-CENTRAL")] + [
    (f"{role.replace('_', '-')}-1", role, None) for role in ["admin", "buyer", "auditor", "integration"]]
for name, role, scope in PEOPLE:
    run("user", "create", name, "--role", role, "--password-stdin", "--db", db,
        *(["--warehouse", scope] if scope else []), stdin=f"{name}-password-1\n")
token = run("token", "create", "--role", "auditor", "--name", "web-test", "--db", db)
admin = run("token", "create", "--role", "admin", "--name", "web-admin", "--db", db)
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
        # A warehouse's on hand and value are what the API's valuation says (one without stock in transit to it,
        # which the valuation counts for its destination).
        valuation = api("/v1/valuation", token)["lines"]
        for row in rows:
            cells = [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
            if float(cells[8]) == 0 and float(cells[4]) > 0:
                code = cells[1]
                units = sum(float(l["quantity"]) for l in valuation if l.get("warehouse") == code)
                worth = sum(float(l["value"]) for l in valuation if l.get("warehouse") == code)
                check(float(cells[4]) == units and abs(float(cells[11].replace(",", "")) - worth) < 0.005,
                      f"the overview's {code}: on hand {cells[4]} and value {cells[11]}, as the API's valuation "
                      f"({units}, {worth:.2f})")
                break
        # What needs attention: the same order lines the API calls overdue and backordered.
        driver.get(f"{base}/?today={TODAY}")
        live = ("open", "partial")
        overdue = sum(1 for o in api(f"/v1/purchase-orders?today={TODAY}&limit=1000", token) if o["status"] in live
                      for line in o["lines"] if line.get("overdue"))
        backordered = sum(1 for o in api(f"/v1/sales-orders?today={TODAY}&limit=1000", token) if o["status"] in live
                          for line in o["lines"] if float(line.get("backorder") or 0) > 0)
        check(text_of(driver, "#overdue-lines") == str(overdue) and overdue > 0,
              f"the overview's overdue receipt lines are the API's ({overdue})")
        check(text_of(driver, "#backorder-lines") == str(backordered),
              f"the overview's backordered lines are the API's ({backordered})")
        accessible(driver, "overview")
        driver.save_screenshot(f"{SHOTS}/overview.png")

        # An item page: on hand per warehouse equals GET /v1/stock, and the timeline chart is drawn.
        sku, warehouse = "DB-EL1001", "D-DC-CENTRAL"
        driver.get(f"{base}/items/{sku}?at={warehouse}&today={TODAY}")
        shown = driver.find_element(By.CSS_SELECTOR, f'#positions tr[data-warehouse="{warehouse}"] .on-hand').text
        stock = api(f"/v1/stock?sku={sku}&at={warehouse}", token)[0]
        check(float(shown) == float(stock["on_hand"]), f"{sku} on hand at {warehouse}: page {shown}, API {stock['on_hand']}")
        check(len(driver.find_elements(By.CSS_SELECTOR, ".chart svg path")) == 1, "the item page draws its timeline")
        by_location = sum(float(row.find_elements(By.TAG_NAME, "td")[3].text)
                          for row in driver.find_elements(By.CSS_SELECTOR, "#stock tbody tr")
                          if row.find_element(By.TAG_NAME, "td").text.startswith(warehouse + "/"))
        check(by_location == float(stock["on_hand"]), f"its stock by location adds up to on hand ({by_location})")
        accessible(driver, "item page")
        driver.save_screenshot(f"{SHOTS}/item.png")

        # Search: a GTIN opens its item; a location lists what lies there; an unknown word says so.
        gtin = api(f"/v1/items/{sku}", token).get("gtin")
        driver.get(f"{base}/search?q={gtin}")
        check(driver.find_element(By.TAG_NAME, "h1").text.startswith(sku), f"searching GTIN {gtin} opens {sku}")
        driver.get(f"{base}/search?q={warehouse}/STOCK")
        found = driver.find_elements(By.CSS_SELECTOR, "#results tbody tr")
        check(found and all(r.find_element(By.TAG_NAME, "td").text == "stock" for r in found),
              f"searching a location lists its stock ({len(found)} rows)")
        driver.get(f"{base}/search?q=no-such-thing-anywhere")
        check("Nothing found" in driver.find_element(By.CSS_SELECTOR, ".error").text, "a search that finds nothing says so")

        # Orders: the overdue purchase orders flagged are the ones the API reports overdue.
        driver.get(f"{base}/orders?today={TODAY}")
        flagged = [row.find_element(By.CSS_SELECTOR, "td a").text
                   for row in driver.find_elements(By.CSS_SELECTOR, "#purchase-orders tbody tr")
                   if "overdue" in row.text]
        late = [o["id"] for o in api(f"/v1/purchase-orders?today={TODAY}&limit=50", token)
                if any(line.get("overdue") for line in o["lines"])]
        check(sorted(flagged) == sorted(late) and late, f"{len(flagged)} purchase orders flagged overdue, as the API says")
        accessible(driver, "orders page")
        driver.save_screenshot(f"{SHOTS}/orders.png")
        driver.get(f"{base}/orders/{late[0]}?today={TODAY}")
        check(len(driver.find_elements(By.CSS_SELECTOR, "#lines .flag")) > 0, "an overdue order shows its late line")
        page_lines = {cells[0].text: cells[3].text for cells in
                      [row.find_elements(By.TAG_NAME, "td") for row in driver.find_elements(By.CSS_SELECTOR, "#lines tbody tr")]}
        api_lines = {line["sku"]: line["open"] for line in api(f"/v1/orders/{late[0]}?today={TODAY}", token)["lines"]}
        check(page_lines and all(float(page_lines[k]) == float(v) for k, v in api_lines.items()),
              f"the order page's open quantities are the API's ({page_lines})")
        accessible(driver, "order page")
        driver.save_screenshot(f"{SHOTS}/order.png")

        # Every role: what its menu offers, what its item page offers, and the pages it is refused.
        submit(driver, ".signout button")
        for name, role, _ in PEOPLE:
            if name == "olga":
                continue
            finance, audit, receive = ROLES[role]
            sign_in(driver, name)
            driver.get(f"{base}/items/{sku}?at={warehouse}")
            shown = (bool(driver.find_elements(By.LINK_TEXT, "Finance")), bool(driver.find_elements(By.LINK_TEXT, "Audit")),
                     bool(driver.find_elements(By.CSS_SELECTOR, "form.receive")))
            driver.get(f"{base}/finance")
            refused = bool(driver.find_elements(By.CSS_SELECTOR, ".error")) and "may not see" in text_of(driver, ".error")
            driver.get(f"{base}/audit")
            audit_refused = "may not see" in text_of(driver, ".error")
            check(shown == (finance, audit, receive) and refused == (not finance) and audit_refused == (not audit),
                  f"{role}: finance {finance}, audit {audit}, receipt form {receive} ({shown}, refused {refused}/{audit_refused})")
            submit(driver, ".signout button")
        sign_in(driver, "pat")

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
        check(len(driver.find_elements(By.CSS_SELECTOR, "#aging tbody tr")) > 0, "finance shows stock value by age")
        driver.find_element(By.ID, "j-sku").send_keys(sku)
        submit(driver, "form.filter button")
        skus = {row.find_elements(By.TAG_NAME, "td")[5].text for row in driver.find_elements(By.CSS_SELECTOR, "#journal tbody tr")}
        check(skus == {sku}, f"the journal filtered by SKU shows only {sku} ({skus})")
        accessible(driver, "finance page")
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
                mine = [r.get_attribute("data-warehouse") for r in receiver.find_elements(By.CSS_SELECTOR, "#warehouses tbody tr")]
                check(mine == [warehouse] and receiver.find_elements(By.LINK_TEXT, "Open the scanner"),
                      f"a warehouse operator's overview is her warehouse, with the scanner first ({mine})")
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
        # A receipt posted without a session (an expired one) goes to the sign-in page and changes nothing.
        before = api(f"/v1/stock?sku={sku}&at={warehouse}", token)[0]["on_hand"]
        form = urllib.parse.urlencode({"warehouse": warehouse, "qty": "5", "unit_cost": "1"}).encode()
        with urllib.request.urlopen(urllib.request.Request(f"{base}/items/{sku}/receive", data=form)) as answer:
            check(answer.url.endswith("/login"), "a receipt without a session is sent to sign in")
        check(api(f"/v1/stock?sku={sku}&at={warehouse}", token)[0]["on_hand"] == before, "and changes nothing")
        # The audit page shows every refused attempt: outside the warehouse, without the CSRF token, without a session.
        driver.get(f"{base}/audit")
        refusals = [[cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
                    for row in driver.find_elements(By.CSS_SELECTOR, "#refusals tbody tr")]
        seen = {(r[1], r[3].split(" ")[0], r[4]) for r in refusals}
        check({("olga", "POST", "forbidden"), ("fay", "POST", "csrf"), ("unknown", "POST", "signed_out")} <= seen,
              f"the audit page records the refused attempts ({sorted(seen)})")
        check(any(row[4] == "olga" and row[5] == "web" for row in
                  [[c.text for c in r.find_elements(By.TAG_NAME, "td")]
                   for r in driver.find_elements(By.CSS_SELECTOR, "#entries tbody tr")]),
              "and names olga's receipt among the postings")
        accessible(driver, "audit page")
        driver.save_screenshot(f"{SHOTS}/audit.png")
        # The changes feed: its newest row is the API's newest event, and a posting elsewhere appears by itself.
        driver.get(f"{base}/changes")
        accessible(driver, "changes page")
        newest = int(driver.find_element(By.CSS_SELECTOR, "#changes tbody tr").get_attribute("data-sequence"))
        event = api(f"/v1/events?after={newest - 1}&limit=1", token)["events"][0]
        later = api(f"/v1/events?after={newest}&limit=1", token)["events"]
        check(event["sequence"] == newest and not later and event["type"] in text_of(driver, "#changes tbody tr"),
              f"the changes page starts at the newest event, #{newest} {event['type']}")
        api("/v1/postings", admin, {"receive": {"sku": sku, "qty": 1, "unit_cost": 8, "at": "D-DC-EAST"}})
        wait_for(driver, lambda d: int(d.find_element(By.CSS_SELECTOR, "#changes tbody tr").get_attribute(
            "data-sequence")) > newest)
        check("posting.receive" in text_of(driver, "#changes tbody tr"), "a receipt posted elsewhere appears live")
        driver.save_screenshot(f"{SHOTS}/changes.png")
        submit(driver, ".signout button")
        driver.get(f"{base}/")
        check(driver.current_url.endswith("/login"), "signing out ends the session")
    finally:
        driver.quit()
    print("== the handheld scanner")
    scanner_checks()
finally:
    server.terminate()
    server.wait()

print(f"{'web tests passed' if not failures else f'{len(failures)} web checks failed'}")
sys.exit(1 if failures else 0)
