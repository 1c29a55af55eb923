#!/usr/bin/env python3
"""`make test-ui`: browser tests of the server-rendered pages under /ui/, with Playwright driving the system Chromium.

Starts its own `recoup serve` (the binary of env RECOUP_BIN, else the debug build) on a free loopback port with a
fresh database in a temporary folder, creates one key per role with `recoup keys create` before the start, waits for
`/readyz`, seeds ~300 returns over the API (two warehouses, every record received so it is queued, some with high
fraud signals so flags are open, and one record `UI-XSS-1` whose customer comment is markup), then runs every test
of this file in its own browser context, prints a PASS/FAIL line per test and a closing `UI: N passed, N failed`,
stops the server and exits 1 when any test failed. Screenshots of every page at 1280x800 and 390x844 go to
var/ui-screenshots/<page>-<width>.png; a failing test leaves var/ui-screenshots/failures/<test>.png.

Every wait is short (5 s; the lane board's auto-refresh gets 15 s), so a page that is missing fails fast with the
selector it waited for, and the server is stopped however the run ends (exception, Ctrl-C, SIGTERM).

Usage: run.py [-k SUBSTRING ...] [--keep] [--headed]
  -k       run only the tests whose name contains one of the substrings
  --keep   keep the temporary folder (database, server log) even when every test passed
Needs: playwright (ui-tests/requirements.txt) and /usr/bin/chromium (env CHROMIUM overrides); never downloads a browser.
"""

from __future__ import annotations

import argparse
import atexit
import csv
import gzip
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, parse_qs, quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "reliability"))
from common import Response, free_port, request  # noqa: E402  (the HTTP helpers the reliability checks use)

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "var" / "ui-screenshots"
DATA = ROOT / "training-data" / "returns-200k.csv.gz"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
LABEL_COLUMNS = ("disposition", "fraud_flag", "recovery_value")
KEY = re.compile(r"rk_[0-9a-f]+_[0-9a-f]+")
ROLES = ("warehouse", "risk", "analyst", "admin")
HOME = {"warehouse": "/ui/lanes", "risk": "/ui/risk", "analyst": "/ui/overview", "admin": "/ui/overview"}
WAIT_MS = 5_000  # every Playwright wait (actions, navigations, selectors)
REFRESH_WAIT_S = 15  # the lane board refreshes "every few seconds"
TEST_LIMIT_S = 120  # a whole test, as a last resort (SIGALRM)
XSS_ID = "UI-XSS-1"
XSS_COMMENT = "<script>window.__xss=1</script><b>bold</b>"
WAREHOUSES = ("WH1", "WH2")
SIZES = ((1280, 800), (390, 844))


def log(message: str) -> None:
    print(message, flush=True)


def recoup_binary() -> Path:
    """RECOUP_BIN, else the debug build (as `make test` and `make test-ui` build it)."""
    if os.environ.get("RECOUP_BIN"):
        binary = Path(os.environ["RECOUP_BIN"])
    else:
        bin_path = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT,
                                  capture_output=True, text=True, check=True).stdout.strip()
        binary = Path(bin_path) / "recoup"
    if not binary.exists():
        sys.exit(f"{binary} does not exist: build it (`swift build --product recoup`) or set RECOUP_BIN")
    return binary


# ----------------------------------------------------------------------------------------------------------------
# HTTP API (standard library), the server, the seed


_SERVERS: list["Server"] = []


@dataclass
class Server:
    binary: Path
    folder: Path
    port: int = field(default_factory=free_port)
    keys: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None

    @property
    def db(self) -> Path:
        return self.folder / "recoup.sqlite"

    @property
    def log_path(self) -> Path:
        return self.folder / "serve.log"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def create_keys(self) -> None:
        """One key per role, before the start (so no bootstrap admin key is printed)."""
        for role in ROLES:
            out = subprocess.run([str(self.binary), "keys", "create", "--db", str(self.db), "--role", role,
                                  "--label", f"ui-tests {role}"], capture_output=True, text=True, cwd=ROOT, timeout=60)
            found = KEY.search(out.stdout + out.stderr)
            if out.returncode != 0 or not found:
                raise RuntimeError(f"recoup keys create --role {role} failed ({out.returncode}): {out.stdout}{out.stderr}")
            self.keys[role] = found.group(0)

    def start(self, timeout: float = 60.0) -> None:
        _SERVERS.append(self)
        out = open(self.log_path, "wb")
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
        self.process = subprocess.Popen(
            [str(self.binary), "serve", "--host", "127.0.0.1", "--port", str(self.port), "--db", str(self.db),
             "--models", str(ROOT / "models"), "--log-level", "warning"],
            stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        out.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"recoup serve exited with {self.process.returncode}: {self.log_tail()}")
            try:
                if request(self.port, "GET", "/readyz", timeout=2).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"recoup serve on port {self.port} was not ready (/readyz) in {timeout:.0f} s: {self.log_tail()}")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, chars: int = 2000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def api(self, method: str, path: str, body=None, role: str = "warehouse") -> Response:
        return request(self.port, method, path, body, key=self.keys[role])


@atexit.register
def _stop_servers() -> None:
    for server in _SERVERS:
        if server.alive():
            server.process.kill()
            server.process.wait()


def _on_sigterm(signum, frame):  # `make` interrupted, CI time-out: still stop the server (atexit runs on SystemExit)
    sys.exit(128 + signum)


def read_rows(want_plain: int, want_fraud: int) -> tuple[list[dict], list[dict]]:
    """Contract rows of WH1 and WH2 from the training file, label columns dropped, empty fields left out. The label
    `fraud_flag` only chooses `want_fraud` rows that are likely to be flagged; it is never sent."""
    plain: list[dict] = []
    fraud: list[dict] = []
    with gzip.open(DATA, "rt", newline="") as f:
        for row in csv.DictReader(f):
            if row["warehouse_id"] not in WAREHOUSES:
                continue
            bucket = fraud if row["fraud_flag"] in ("1", "true") else plain
            if (bucket is fraud and len(fraud) < want_fraud) or (bucket is plain and len(plain) < want_plain):
                record = {k: v for k, v in row.items() if k not in LABEL_COLUMNS and v != ""}
                record.setdefault("received_date", record["return_requested_date"])  # received: queued, not request-stage
                bucket.append(record)
            if len(plain) >= want_plain and len(fraud) >= want_fraud:
                break
    return plain, fraud


def ingest(server: Server, records: list[dict], batch: int = 100) -> int:
    accepted = 0
    for i in range(0, len(records), batch):
        r = server.api("POST", "/v1/returns", {"returns": records[i:i + batch]})
        if r.status != 200:
            raise RuntimeError(f"POST /v1/returns answered {r.status}: {r.body[:300]!r}")
        for result in r.json()["results"]:
            if result.get("status") != "accepted":
                raise RuntimeError(f"record {result.get('return_id')} was not accepted: {result}")
            accepted += 1
    return accepted


def open_flags(server: Server, **query) -> list[dict]:
    q = "&".join(f"{k}={quote(str(v))}" for k, v in {"status": "open", "limit": 1000, **query}.items())
    r = server.api("GET", f"/v1/anomalies?{q}", role="risk")
    if r.status != 200:
        raise RuntimeError(f"GET /v1/anomalies?{q} answered {r.status}: {r.body[:300]!r}")
    return r.json()["anomalies"]


def seed(server: Server) -> dict:
    """~300 queued returns over WH1 and WH2, at least 6 open flags (2 reviewed, the rest for the pages), and UI-XSS-1."""
    plain, fraud = read_rows(want_plain=400, want_fraud=160)
    records = plain[:270] + fraud[:30]
    accepted = ingest(server, records)
    # In a warehouse of its own (WH3), so that no claim of the lane tests takes it: its page stays the same.
    xss = dict(plain[0], return_id=XSS_ID, order_id="UI-XSS-ORDER", warehouse_id="WH3", customer_comment=XSS_COMMENT)
    accepted += ingest(server, [xss])
    extra = iter([fraud[30:80], fraud[80:160], plain[270:400]])
    while len(open_flags(server)) < 6:
        more = next(extra, None)
        if not more:
            raise RuntimeError(f"only {len(open_flags(server))} open flags after seeding {accepted} returns")
        accepted += ingest(server, more)
    lanes = {wh: server.api("GET", f"/v1/lanes?warehouse={wh}").json()["lanes"] for wh in WAREHOUSES}
    return {"returns": accepted, "open_flags": len(open_flags(server)),
            "depth": {wh: sum(l["depth"] for l in ls) for wh, ls in lanes.items()}}


# ----------------------------------------------------------------------------------------------------------------
# Test plumbing


class TestTimeout(Exception):
    pass


@dataclass
class Ctx:
    """What a test gets: the server, the browser, and pages it opens (screenshotted when the test fails)."""

    server: Server
    browser: object
    name: str = ""
    contexts: list = field(default_factory=list)
    pages: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def base(self) -> str:
        return self.server.base

    def page(self, width: int = 1280, height: int = 800) -> Page:
        context = self.browser.new_context(viewport={"width": width, "height": height}, base_url=self.base)
        context.set_default_timeout(WAIT_MS)
        context.set_default_navigation_timeout(WAIT_MS)
        self.contexts.append(context)
        page = context.new_page()
        self.pages.append(page)
        return page

    def note(self, message: str) -> None:
        self.notes.append(message)

    def close(self) -> None:
        for context in self.contexts:
            try:
                context.close()
            except PlaywrightError:
                pass


TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def check(condition, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def path_of(url: str) -> str:
    return urlparse(url).path


def open_sign_in(page: Page) -> None:
    r = page.goto("/ui/sign-in")
    check(r is not None and r.status == 200, f"GET /ui/sign-in answered {r and r.status}")
    check(page.locator("form#sign-in").count() == 1, "GET /ui/sign-in shows no form#sign-in")


def sign_in(ctx: Ctx, role: str, page: Page | None = None) -> Page:
    """Signs in through the form and checks the 303 to the role's home."""
    page = page or ctx.page()
    open_sign_in(page)
    page.locator("form#sign-in input[name=api_key]").fill(ctx.server.keys[role])
    with page.expect_navigation():
        page.locator("form#sign-in button#sign-in-submit").click()
    if path_of(page.url) != HOME[role]:
        flash = page.locator(".flash")
        said = flash.first.inner_text() if flash.count() else "no .flash"
        raise AssertionError(f"sign-in as {role} landed on {page.url}, not {HOME[role]} ({said})")
    return page


def submit_get_form(page: Page, form: str) -> None:
    """Submits a GET form the way a person would: its submit button, else Enter (requestSubmit when no button)."""
    button = page.locator(f"{form} button:not([type=button]):not([type=reset]), {form} input[type=submit]")
    with page.expect_navigation():
        if button.count():
            button.first.click()
        else:
            page.eval_on_selector(form, "f => f.requestSubmit()")


LANES_JS = """() => Object.fromEntries([...document.querySelectorAll('table#lanes tr[data-lane]')].map(tr => {
  const cell = c => { const td = tr.querySelector('td.' + c); return td ? td.textContent.trim() : null; };
  return [tr.dataset.lane, {depth: cell('depth'), leased: cell('leased'), oldest: cell('oldest'), value: cell('value'),
                            past_sl: cell('past-sl')}];
}))"""


def board(page: Page) -> dict[str, dict]:
    """The lane board as {lane: {depth, leased, ...}}, read in one evaluation (the table may be replaced any time)."""
    page.wait_for_selector("table#lanes tr[data-lane]", state="attached")
    rows = page.evaluate(LANES_JS)
    for lane, cells in rows.items():
        for c in ("depth", "leased"):
            text = cells[c]
            check(text is not None, f"lane {lane}: no td.{c}")
            check(re.fullmatch(r"\d+", text), f"lane {lane}: td.{c} is {text!r}, not a plain integer")
            cells[c] = int(text)
        for c in ("oldest", "value", "past_sl"):
            check(cells[c] is not None, f"lane {lane}: no td.{c.replace('_', '-')}")
    return rows


def api_lanes(ctx: Ctx, warehouse: str) -> dict[str, dict]:
    r = ctx.server.api("GET", f"/v1/lanes?warehouse={warehouse}")
    check(r.status == 200, f"GET /v1/lanes answered {r.status}")
    return {l["lane"]: l for l in r.json()["lanes"]}


def open_board(ctx: Ctx, page: Page, warehouse: str, station: str) -> dict[str, dict]:
    r = page.goto(f"/ui/lanes?warehouse={warehouse}&station={station}")
    check(r is not None and r.status == 200, f"GET /ui/lanes?warehouse={warehouse} answered {r and r.status}")
    return board(page)


def busiest_lane(rows: dict[str, dict], avoid=("risk_review",)) -> str:
    lanes = sorted((v["depth"], k) for k, v in rows.items() if k not in avoid and v["depth"] > 0)
    check(lanes, f"no lane with queued items on the board: {rows}")
    return lanes[-1][1]


def claim_on_board(page: Page, lane: str) -> tuple[str, str]:
    """Clicks the lane's claim button; returns (return_id, claim token) of the item page it leads to."""
    with page.expect_navigation():
        page.locator(f'table#lanes tr[data-lane="{lane}"] form.claim button.claim-next').click()
    check("/ui/items/" in page.url, f"claiming from {lane} led to {page.url}, not /ui/items/<id>")
    rid = page.locator("#item-card[data-return-id]").get_attribute("data-return-id")
    check(rid, "#item-card has no data-return-id")
    token = (parse_qs(urlparse(page.url).query).get("claim") or [""])[0]
    check(token, f"the item page after the claim has no ?claim=<token>: {page.url}")
    return rid, token


def return_detail(ctx: Ctx, rid: str) -> dict:
    r = ctx.server.api("GET", f"/v1/returns/{quote(rid, safe='')}")
    check(r.status == 200, f"GET /v1/returns/{rid} answered {r.status}")
    return r.json()


def flash_text(page: Page, kinds: str = ".flash") -> str:
    loc = page.locator(kinds)
    loc.first.wait_for(state="visible")
    return loc.first.inner_text().strip()


def post_response(page: Page, path: str):
    """A context manager waiting for the (first) POST to `path`'s response."""
    return page.expect_response(lambda r: r.request.method == "POST" and path_of(r.url) == path)


def session_cookie(page: Page) -> dict | None:
    return next((c for c in page.context.cookies() if c["name"] == "recoup_session" and c["value"]), None)


# ----------------------------------------------------------------------------------------------------------------
# The tests


@test
def test_sign_in_lands_on_role_home_and_sets_strict_httponly_cookie(ctx: Ctx):
    for role in ROLES:
        page = sign_in(ctx, role)  # checks the landing page
        cookie = session_cookie(page)
        check(cookie, f"{role}: no recoup_session cookie after sign-in")
        check(cookie["httpOnly"], f"{role}: recoup_session is not HttpOnly")
        check(cookie["sameSite"] == "Strict", f"{role}: recoup_session SameSite is {cookie['sameSite']}, not Strict")
        check(page.locator("nav form#sign-out button#sign-out-submit").count() == 1,
              f"{role}: {page.url} has no nav with form#sign-out and button#sign-out-submit")
    # The redirect itself is a 303 (checked without following it, in a session of its own).
    page = ctx.page()
    open_sign_in(page)
    csrf = page.locator("form#sign-in input[name=csrf]")
    check(csrf.count() == 1, "form#sign-in has no hidden input[name=csrf]")
    r = page.context.request.post("/ui/sign-in", form={"api_key": ctx.server.keys["warehouse"],
                                                       "csrf": csrf.get_attribute("value") or ""}, max_redirects=0)
    check(r.status == 303, f"POST /ui/sign-in answered {r.status}, not 303")
    check(path_of(r.headers.get("location", "")) == "/ui/lanes", f"303 to {r.headers.get('location')}, not /ui/lanes")


@test
def test_wrong_key_shows_error_flash(ctx: Ctx):
    page = ctx.page()
    open_sign_in(page)
    page.locator("form#sign-in input[name=api_key]").fill("rk_000000000000_" + "0" * 48)
    with page.expect_navigation():
        page.locator("button#sign-in-submit").click()
    check(path_of(page.url) == "/ui/sign-in", f"a wrong key led to {page.url}")
    check(flash_text(page, ".flash.error"), ".flash.error is empty")
    check(page.locator("form#sign-in").count() == 1, "the sign-in form is not shown again")
    check(session_cookie(page) is None, "a wrong key set a recoup_session cookie")


@test
def test_warehouse_claims_and_inspects_with_keyboard(ctx: Ctx):
    page = sign_in(ctx, "warehouse")
    page.locator("form#station-form input[name=warehouse]").fill("WH1")
    page.locator("form#station-form input[name=station]").fill("UI-S1")
    submit_get_form(page, "form#station-form")
    rows = board(page)
    lane = busiest_lane(rows)
    before = rows[lane]
    before_api = api_lanes(ctx, "WH1")[lane]
    rid, token = claim_on_board(page, lane)
    after_claim = api_lanes(ctx, "WH1")[lane]
    check(after_claim["leased"] == before_api["leased"] + 1,
          f"{lane}: leased {before_api['leased']} -> {after_claim['leased']} after the claim (API), expected +1")
    detail = return_detail(ctx, rid)
    check((detail.get("queue") or {}).get("state") == "leased", f"{rid} is {detail.get('queue')} after the claim")
    check(page.locator("#lease-countdown[data-expires-at]").count() == 1, "no #lease-countdown[data-expires-at]")
    check(page.locator("form#extend-form").count() == 1, "no form#extend-form on the held item")
    check(page.locator("form#release-form").count() == 1, "no form#release-form on the held item")
    form = page.locator("form#inspection-form")
    form.wait_for(state="visible")
    predicted = detail["assessment"]["disposition"]
    chosen = form.locator("select[name=disposition]").input_value()
    check(chosen == predicted, f"select[name=disposition] preselects {chosen!r}, the prediction is {predicted!r}")
    # Keyboard: 3 picks grade C, 2 then B, when the focus is not in a text field.
    page.evaluate("() => document.activeElement && document.activeElement.blur && document.activeElement.blur()")
    page.keyboard.press("3")
    check(form.locator("input[name=grade][value=C]").is_checked(), "key 3 did not pick grade C")
    page.keyboard.press("2")
    check(form.locator("input[name=grade][value=B]").is_checked(), "key 2 did not pick grade B")
    form.locator("input[name=recovery_value]").fill("12.5")
    notes = form.locator("textarea[name=notes]")
    notes.fill("ui test: keyboard")
    notes.focus()
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    check(f"/ui/items/{rid}" not in page.url or "claim=" not in page.url,
          f"Ctrl+Enter left the browser on the held item page {page.url}")
    said = flash_text(page, ".flash.success")
    detail = return_detail(ctx, rid)
    inspection = detail.get("inspection") or {}
    check(inspection.get("grade") in ("B", "b"), f"stored inspection of {rid}: {inspection}")
    check(detail["queue"]["state"] == "completed", f"{rid} is {detail['queue']['state']} after the inspection")
    if path_of(page.url) != "/ui/lanes":
        page.goto("/ui/lanes")
    after = board(page)[lane]
    check(after["depth"] + after["leased"] == before["depth"] + before["leased"] - 1,
          f"{lane}: depth+leased {before['depth']}+{before['leased']} before the claim, {after['depth']}+{after['leased']}"
          f" after the inspection; expected one less (flash: {said!r})")


@test
def test_station_is_remembered(ctx: Ctx):
    page = sign_in(ctx, "warehouse")
    open_board(ctx, page, "WH2", "UI-S7")
    page.goto("/ui/lanes")
    wh = page.locator("form#station-form input[name=warehouse]").input_value()
    st = page.locator("form#station-form input[name=station]").input_value()
    check((wh, st) == ("WH2", "UI-S7"), f"/ui/lanes alone shows warehouse {wh!r}, station {st!r}; expected WH2, UI-S7")
    expected = api_lanes(ctx, "WH2")
    rows = board(page)
    check(set(rows) <= set(expected), f"lanes {sorted(set(rows) - set(expected))} are not lanes of WH2")


@test
def test_scan_box_opens_item(ctx: Ctx):
    page = sign_in(ctx, "warehouse")
    open_board(ctx, page, "WH1", "UI-S2")
    scan = page.locator("form#scan-form input#scan[name=return_id]")
    scan.fill(XSS_ID)
    with page.expect_navigation():
        scan.press("Enter")
    check(path_of(page.url) == f"/ui/items/{XSS_ID}", f"scanning {XSS_ID} opened {page.url}")
    check(page.locator(f'#item-card[data-return-id="{XSS_ID}"]').count() == 1, f"no #item-card for {XSS_ID}")


@test
def test_item_page_shows_assessment(ctx: Ctx):
    page = sign_in(ctx, "warehouse")
    r = page.goto(f"/ui/items/{XSS_ID}")
    check(r.status == 200, f"GET /ui/items/{XSS_ID} answered {r.status}")
    detail = return_detail(ctx, XSS_ID)
    bars = page.locator("#disposition-bars .bar[data-class]")
    classes = sorted(bars.evaluate_all("bs => bs.map(b => b.dataset.class)"))
    expected = sorted(k[2:] for k in detail["assessment"] if k.startswith("p_"))
    check(classes == expected, f"#disposition-bars classes {classes}, expected one per class {expected}")
    for sel in ("#fraud-risk", "#recovery-value", "#why-first"):
        check(page.locator(sel).count() == 1, f"no {sel} on the item page")
        check(page.locator(sel).inner_text().strip(), f"{sel} is empty")
    check(page.locator("#reasons li").count() >= 1, "no #reasons li on the item page")
    check(page.locator("form#inspection-form").count() == 0, "the inspection form shows for an item that is not held")


@test
def test_lane_board_matches_api(ctx: Ctx):
    page = sign_in(ctx, "warehouse")
    for warehouse in WAREHOUSES:
        mismatch = ""
        for attempt in range(3):  # "at the same moment": read both again if upkeep moved something in between
            page.goto(f"/ui/lanes?warehouse={warehouse}&station=UI-S3")
            rows = board(page)
            expected = api_lanes(ctx, warehouse)
            mismatch = ""
            missing = [l for l, v in expected.items() if v["depth"] + v["leased"] > 0 and l not in rows]
            extra = [l for l in rows if l not in expected]
            if missing or extra:
                mismatch = f"lanes missing on the board {missing}, not in the API {extra}"
            for lane, cells in rows.items():
                if lane in expected and (cells["depth"], cells["leased"]) != (expected[lane]["depth"], expected[lane]["leased"]):
                    mismatch += (f" {lane}: board depth/leased {cells['depth']}/{cells['leased']}, API "
                                 f"{expected[lane]['depth']}/{expected[lane]['leased']};")
            if not mismatch:
                break
            time.sleep(0.5)
        check(not mismatch, f"{warehouse}:{mismatch}")


@test
def test_lane_board_refreshes_in_place(ctx: Ctx):
    page = sign_in(ctx, "warehouse")
    rows = open_board(ctx, page, "WH2", "UI-S4")
    lane = busiest_lane(rows)
    page.evaluate("() => { window.__still_same_page = true; }")
    r = ctx.server.api("POST", f"/v1/lanes/{lane}/claims",
                       {"warehouse_id": "WH2", "station_id": "UI-API", "count": 1, "lease_seconds": 120})
    check(r.status == 200 and r.json()["items"], f"API claim from {lane} answered {r.status}: {r.body[:200]!r}")
    token = r.json()["token"]
    try:
        want = rows[lane]["leased"] + 1
        deadline = time.monotonic() + REFRESH_WAIT_S
        seen = rows[lane]["leased"]
        while time.monotonic() < deadline:
            seen = board(page)[lane]["leased"]
            if seen == want:
                break
            time.sleep(0.5)
        check(seen == want, f"{lane}: td.leased still {seen} {REFRESH_WAIT_S} s after a claim (expected {want}):"
                            " the board did not refresh")
        check(page.evaluate("() => window.__still_same_page === true"), "the board reloaded the page instead of "
                                                                          "replacing #lanes in place")
    finally:
        ctx.server.api("POST", f"/v1/claims/{token}/release")


@test
def test_release_form_puts_item_back(ctx: Ctx):
    page = sign_in(ctx, "warehouse")
    rows = open_board(ctx, page, "WH2", "UI-S5")
    lane = busiest_lane(rows)
    rid, _ = claim_on_board(page, lane)
    button = page.locator("form#release-form button, form#release-form input[type=submit]")
    with page.expect_navigation():
        button.first.click()
    state = (return_detail(ctx, rid).get("queue") or {}).get("state")
    check(state == "queued", f"{rid} is {state} after form#release-form, expected queued")


@test
def test_risk_confirms_and_dismisses(ctx: Ctx):
    page = sign_in(ctx, "risk")
    ids = page.locator("table#anomalies tr[data-return-id]").evaluate_all("rs => rs.map(r => r.dataset.returnId)")
    check(len(ids) >= 2, f"table#anomalies lists {len(ids)} open flags; the seed left {len(open_flags(ctx.server))}")
    done = {}
    for rid, decision in zip(ids[:2], ("confirmed_fraud", "dismissed")):
        with page.expect_navigation():
            page.locator(f'table#anomalies tr[data-return-id="{rid}"] a.open-item').first.click()
        check(path_of(page.url) == f"/ui/risk/{rid}", f"a.open-item of {rid} led to {page.url}")
        form = page.locator("form#review-form")
        form.locator("textarea[name=note]").fill(f"ui test: {decision}")
        with page.expect_navigation():
            form.locator(f"button[name=decision][value={decision}]").click()
        check(path_of(page.url) == "/ui/risk", f"the {decision} review of {rid} led to {page.url}, not /ui/risk")
        flash_text(page, ".flash.success")
        check(page.locator(f'table#anomalies tr[data-return-id="{rid}"]').count() == 0,
              f"{rid} is still in the open list after {decision}")
        done[rid] = decision
    still_open = {a["return_id"] for a in open_flags(ctx.server)}
    check(not (set(done) & still_open), f"GET /v1/anomalies?status=open still lists {sorted(set(done) & still_open)}")
    for rid, decision in done.items():
        r = ctx.server.api("GET", f"/v1/anomalies?status={decision}&limit=1000", role="risk")
        check(rid in {a["return_id"] for a in r.json()["anomalies"]}, f"{rid} is not listed as {decision}")


@test
def test_risk_filters_match_api(ctx: Ctx):
    page = sign_in(ctx, "risk")
    check(page.locator("form#risk-filters").count() == 1, "no form#risk-filters")
    for query in ({}, {"warehouse": "WH2"}, {"min_risk": "0.5"}, {"status": "open", "warehouse": "WH1"}):
        qs = "&".join(f"{k}={v}" for k, v in query.items())
        r = page.goto(f"/ui/risk?{qs}")
        check(r.status == 200, f"GET /ui/risk?{qs} answered {r.status}")
        page.locator("table#anomalies").wait_for(state="attached")
        shown = set(page.locator("table#anomalies tr[data-return-id]").evaluate_all("rs => rs.map(r => r.dataset.returnId)"))
        expected = {a["return_id"] for a in open_flags(ctx.server, **{k: v for k, v in query.items() if k != "status"})}
        check(shown <= expected, f"/ui/risk?{qs} lists {sorted(shown - expected)}, which the API does not (open)")
        check(shown or not expected, f"/ui/risk?{qs} lists nothing; the API has {len(expected)} open flags")


@test
def test_forbidden_pages_by_role(ctx: Ctx):
    matrix = {"warehouse": ["/ui/risk", "/ui/overview", "/ui/models"], "analyst": ["/ui/lanes", "/ui/risk"],
              "risk": ["/ui/lanes", "/ui/overview", "/ui/models"]}
    wrong = []
    for role, paths in matrix.items():
        page = sign_in(ctx, role)
        for path in paths:
            r = page.goto(path)
            if r.status != 403 or page.locator("#forbidden").count() != 1:
                wrong.append(f"{role} {path}: {r.status}, #forbidden x{page.locator('#forbidden').count()}")
    check(not wrong, "; ".join(wrong))


@test
def test_sign_out_ends_session(ctx: Ctx):
    page = sign_in(ctx, "warehouse")
    old = session_cookie(page)
    check(old, "no recoup_session cookie after sign-in")
    with page.expect_navigation():
        page.locator("nav form#sign-out button#sign-out-submit").click()
    check(path_of(page.url) == "/ui/sign-in", f"sign-out led to {page.url}")
    check(flash_text(page), "no .flash message after sign-out")
    check(session_cookie(page) is None, "recoup_session is still set after sign-out")
    r = page.goto("/ui/lanes")
    check(path_of(page.url) == "/ui/sign-in", f"/ui/lanes after sign-out shows {page.url} ({r.status})")
    check(flash_text(page), "no .flash on the sign-in page after /ui/lanes without a session")
    # The session ended on the server too: the old cookie, sent again, is refused.
    replay = ctx.page()
    replay.context.add_cookies([{k: old[k] for k in ("name", "value", "domain", "path", "httpOnly", "sameSite")}])
    replay.goto("/ui/lanes")
    check(path_of(replay.url) == "/ui/sign-in", f"the signed-out session cookie still opens {replay.url}")


@test
def test_customer_comment_is_escaped(ctx: Ctx):
    page = sign_in(ctx, "warehouse")
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"/ui/items/{XSS_ID}")
    comment = page.locator("#customer-comment")
    text = comment.inner_text()
    check("<script>window.__xss=1</script>" in text, f"#customer-comment text is {text!r}, not the raw comment")
    check(page.evaluate("() => typeof window.__xss") == "undefined", "window.__xss is defined: the comment ran")
    check(comment.locator("b").count() == 0 and comment.locator("script").count() == 0,
          "#customer-comment holds a <b> or <script> element")
    check(not dialogs, f"dialogs opened: {dialogs}")


@test
def test_lane_board_has_no_horizontal_scroll_at_390(ctx: Ctx):
    page = ctx.page(390, 844)
    sign_in(ctx, "warehouse", page)
    open_board(ctx, page, "WH1", "UI-S6")
    sizes = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    check(sizes[0] <= sizes[1], f"the lane board is {sizes[0]} px wide in a {sizes[1]} px window")


@test
def test_csrf_missing_or_wrong_is_403(ctx: Ctx):
    # Sign-in form (pre-session double-submit cookie) without its field.
    page = ctx.page()
    open_sign_in(page)
    page.evaluate("() => document.querySelectorAll('form#sign-in input[name=csrf]').forEach(e => e.remove())")
    page.locator("input[name=api_key]").fill(ctx.server.keys["warehouse"])
    with post_response(page, "/ui/sign-in") as resp:
        page.locator("button#sign-in-submit").click()
    check(resp.value.status == 403, f"sign-in without csrf answered {resp.value.status}")
    check(session_cookie(page) is None, "sign-in without csrf set a session")
    # Sign-out without the field, then with a wrong value: 403, and the session goes on.
    page = sign_in(ctx, "warehouse")
    for how, js in (("without", "f => f.querySelectorAll('input[name=csrf]').forEach(e => e.remove())"),
                    ("with a wrong", "f => f.querySelectorAll('input[name=csrf]').forEach(e => e.value = 'x' + e.value)")):
        page.goto("/ui/lanes?warehouse=WH1&station=UI-S8")
        page.eval_on_selector("form#sign-out", js)
        with post_response(page, "/ui/sign-out") as resp:
            page.locator("button#sign-out-submit").click()
        check(resp.value.status == 403, f"sign-out {how} csrf answered {resp.value.status}")
    r = page.goto("/ui/lanes")
    check(path_of(page.url) == "/ui/lanes" and r.status == 200, f"the session ended after refused sign-outs ({page.url})")
    # The inspection form without the field: 403 and nothing stored.
    rows = board(page)
    rid, token = claim_on_board(page, busiest_lane(rows))
    try:
        form = page.locator("form#inspection-form")
        form.evaluate("f => f.querySelectorAll('input[name=csrf]').forEach(e => e.remove())")
        form.locator("input[name=grade][value=A]").check()
        form.locator("input[name=recovery_value]").fill("1")
        with post_response(page, path_of(form.evaluate("f => f.action"))) as resp:
            form.locator("button#inspect-submit").click()
        check(resp.value.status == 403, f"inspection without csrf answered {resp.value.status}")
        check(not return_detail(ctx, rid).get("inspection"), f"inspection without csrf stored one for {rid}")
    finally:
        ctx.server.api("POST", f"/v1/claims/{token}/release")


@test
def test_inspection_posted_twice_is_stored_once(ctx: Ctx):
    page = sign_in(ctx, "warehouse")
    rows = open_board(ctx, page, "WH2", "UI-S9")
    rid, _ = claim_on_board(page, busiest_lane(rows))
    form = page.locator("form#inspection-form")
    form.locator("input[name=grade][value=D]").check()
    form.locator("input[name=recovery_value]").fill("3")
    form.locator("textarea[name=notes]").fill("ui test: twice")
    action = form.evaluate("f => f.action")
    data = form.evaluate("f => [...new FormData(f)].map(([k, v]) => [k, String(v)])")
    with page.expect_navigation():
        form.locator("button#inspect-submit").click()
    flash_text(page, ".flash.success")
    # The same form data again (a resubmission), from the same session.
    second = page.evaluate("""async ([action, data]) => {
        const r = await fetch(action, {method: 'POST', body: new URLSearchParams(data), credentials: 'same-origin'});
        const doc = new DOMParser().parseFromString(await r.text(), 'text/html');
        const f = doc.querySelector('.flash.error, .flash.info');
        return {status: r.status, url: r.url, flash: f ? f.textContent.trim() : null};
    }""", [action, data])
    check(second["flash"], f"the second POST ({second['status']}, {second['url']}) shows no .flash.error/.flash.info")
    check(re.search(r"already|inspected", second["flash"], re.I), f"the second POST's flash says {second['flash']!r}")
    detail = return_detail(ctx, rid)
    inspected = [h for h in detail.get("history", []) if h.get("kind") == "inspected"]
    check(detail.get("inspection") and len(inspected) == 1,
          f"{rid}: inspection {detail.get('inspection')}, {len(inspected)} 'inspected' history entries")


@test
def test_overview_and_models(ctx: Ctx):
    page = sign_in(ctx, "analyst")
    check(page.locator("#summary").count() == 1, "no #summary on /ui/overview")
    for chart in ("#chart-reasons", "#chart-dispositions"):
        svg = page.locator(f"svg.chart{chart}, {chart} svg.chart")
        check(svg.count() >= 1, f"no inline svg.chart {chart}")
        check(svg.first.evaluate("s => s.querySelectorAll('*').length") > 0, f"{chart} is an empty svg")
    check(page.locator("table#cycle-times").count() == 1, "no table#cycle-times")
    page.goto("/ui/models")
    for sel in ("#serving", "#bundles"):
        check(page.locator(sel).count() == 1, f"no {sel} on /ui/models")
    check(page.locator("form#reload-form").count() == 0, "an analyst sees form#reload-form")
    admin = sign_in(ctx, "admin")
    admin.goto("/ui/models")
    check(admin.locator("form#reload-form").count() == 1, "an admin does not see form#reload-form")


def walk(ctx: Ctx, page: Page):
    """(name, url) of every page, as an admin; the item page is held under a claim and released afterwards."""
    yield "lanes", "/ui/lanes?warehouse=WH1&station=UI-SHOT"
    rows = board(page)
    rid, token = claim_on_board(page, busiest_lane(rows))
    try:
        yield "item", page.url.replace(ctx.base, "")
    finally:
        ctx.server.api("POST", f"/v1/claims/{token}/release")
    flags = open_flags(ctx.server)
    check(flags, "no open flag left for the risk item page")
    yield "risk", "/ui/risk"
    yield "risk-item", f"/ui/risk/{flags[-1]['return_id']}"
    yield "overview", "/ui/overview"
    yield "models", "/ui/models"


@test
def test_pages_self_contained_and_screenshots(ctx: Ctx):
    """Every page at 1280x800 and 390x844: 200, a sign-out form, csrf in every POST form, no request off this
    server, no script error; a full-page screenshot each; horizontal overflow reported (asserted elsewhere for lanes)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for width, height in SIZES:
        page = ctx.page(width, height)
        outside, errors = [], []
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((ctx.base, "data:", "blob:")) else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto("/ui/sign-in")
        page.screenshot(path=str(SHOTS / f"sign-in-{width}.png"), full_page=True)
        sign_in(ctx, "admin", page)
        steps = walk(ctx, page)
        for name, url in steps:
            if name != "item":  # the item page is already open: the claim led there
                r = page.goto(url)
                if r.status != 200:
                    problems.append(f"{name} at {width}: {r.status}")
            page.wait_for_load_state("load")
            page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
            if page.locator("nav form#sign-out").count() != 1:
                problems.append(f"{name}: no nav form#sign-out")
            bare = page.evaluate("""() => [...document.querySelectorAll('form')]
                .filter(f => (f.getAttribute('method') || 'get').toLowerCase() === 'post' && !f.querySelector('input[name=csrf]'))
                .map(f => f.id || f.className || f.action)""")
            if bare:
                problems.append(f"{name}: POST forms without input[name=csrf]: {bare}")
            over = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            if width < 1000 and over > 0:
                ctx.note(f"{name} at {width} px scrolls sideways by {over} px")
        if outside:
            problems.append(f"requests off this server at {width}: {sorted(set(outside))[:5]}")
        if errors:
            problems.append(f"script errors at {width}: {errors[:3]}")
    check(not problems, "; ".join(problems))


# ----------------------------------------------------------------------------------------------------------------
# Runner


def short(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    lines = [l for l in text.splitlines() if l.strip()]
    if isinstance(error, PlaywrightError):  # keep the call's first line and what it waited for; drop the call log
        keep = [lines[0]] + [l.strip() for l in lines[1:] if "waiting for" in l][:1]
        return f"{type(error).__name__}: " + " | ".join(keep)
    return " | ".join(lines[:3])


def run_tests(server: Server, browser, tests) -> tuple[int, int]:
    passed = failed = 0

    def alarm(signum, frame):
        raise TestTimeout(f"the test ran over {TEST_LIMIT_S} s")

    signal.signal(signal.SIGALRM, alarm)
    for fn in tests:
        name = fn.__name__
        if not server.alive():
            log(f"FAIL {name}: the server is gone (exit {server.process.returncode}): {server.log_tail(500)}")
            failed += 1
            continue
        ctx = Ctx(server, browser, name)
        started = time.monotonic()
        signal.alarm(TEST_LIMIT_S)
        try:
            fn(ctx)
            signal.alarm(0)
            passed += 1
            log(f"PASS {name} ({time.monotonic() - started:.1f} s)")
        except Exception as error:  # noqa: BLE001 -- every failure is reported the same way and the run goes on
            signal.alarm(0)
            failed += 1
            where = next((f"{f.name} line {f.lineno}" for f in reversed(traceback.extract_tb(error.__traceback__))
                          if f.filename == __file__ and f.name != "check"), "")
            log(f"FAIL {name} ({time.monotonic() - started:.1f} s, {where}): {short(error)}")
            if ctx.pages:
                try:
                    (SHOTS / "failures").mkdir(parents=True, exist_ok=True)
                    ctx.pages[-1].screenshot(path=str(SHOTS / "failures" / f"{name}.png"), full_page=True, timeout=WAIT_MS)
                except Exception:  # noqa: BLE001 -- a screenshot of a failed test is a courtesy
                    pass
        finally:
            signal.alarm(0)
            for n in ctx.notes:
                log(f"     note: {n}")
            ctx.close()
    return passed, failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-k", nargs="*", default=None, help="run only tests whose name contains one of these")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder even when all passed")
    parser.add_argument("--headed", action="store_true", help="show the browser (needs a display)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _on_sigterm)
    tests = [t for t in TESTS if not args.k or any(k in t.__name__ for k in args.k)]
    if not tests:
        sys.exit(f"no test matches {args.k}")
    began = time.monotonic()
    binary = recoup_binary()
    folder = Path(tempfile.mkdtemp(prefix="recoup-ui-"))
    server = Server(binary, folder)
    failed = 1
    try:
        server.create_keys()
        server.start()
        log(f"server {binary} on {server.base} (folder {folder}), ready in {time.monotonic() - began:.1f} s")
        t0 = time.monotonic()
        seeded = seed(server)
        log(f"seeded {seeded['returns']} returns in {time.monotonic() - t0:.1f} s: {seeded['open_flags']} open flags, "
            f"queued {seeded['depth']}")
        SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(SHOTS / "failures", ignore_errors=True)  # only this run's failures
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"], headless=not args.headed,
                                        timeout=30_000)
            try:
                passed, failed = run_tests(server, browser, tests)
            finally:
                browser.close()
        log(f"screenshots in {SHOTS.relative_to(ROOT)}/; {time.monotonic() - began:.1f} s in all")
        log(f"UI: {passed} passed, {failed} failed")
    except Exception as error:  # noqa: BLE001 -- set-up failures end the run with a readable line
        log(f"ERROR before the tests ran: {error}")
        log("UI: 0 passed, 1 failed")
        failed = max(failed, 1)
    finally:
        server.stop()
        if failed or args.keep:
            log(f"kept {folder} (database, serve.log)")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
