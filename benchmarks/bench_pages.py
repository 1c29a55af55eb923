"""Server time of the web pages with a large queue (issue "Web pages for the people on the floor"): the release
binary on a fresh SQLite file with 100,000 queued returns (ingested over the API in batches of 1,000), one warehouse
session signed in through the sign-in form, then each page requested in turn on one keep-alive connection. The time is
the client's wall time per request on loopback (an upper bound of the server's), next to the API route the page calls
(`GET /v1/lanes`), with the server's CPU time per request from /proc.

Target: the lane board under 50 ms of server time with 100,000 queued items.

With env BEFORE (an older checkout with its release binary built), the same returns are ingested into that version too
and `GET /v1/lanes` (the use case behind the board, which older versions have) is timed on both.

Prints a JSON object (also written to benchmarks/out/pages.json) and a summary on standard error.
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "reliability"))
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_server import cpu_seconds  # noqa: E402
from common import Server, generate_records, recoup_binary, request, temp_folder  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
QUEUED = 100_000
BATCH = 1_000
REPEATS = 40
TARGET_MS = 50.0


def cookie(headers: list[tuple[str, str]], name: str) -> str:
    for key, value in headers:
        if key.lower() == "set-cookie" and value.startswith(name + "="):
            return value.split(";", 1)[0].split("=", 1)[1]
    raise RuntimeError(f"no {name} cookie in {headers}")


def sign_in(port: int, key: str) -> str:
    """The sign-in form, as a browser posts it: the session cookie."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/ui/sign-in")
    r = conn.getresponse()
    r.read()
    csrf = cookie(r.getheaders(), "recoup_csrf")
    body = urlencode({"csrf": csrf, "api_key": key})
    conn.request("POST", "/ui/sign-in", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"recoup_csrf={csrf}"})
    r = conn.getresponse()
    r.read()
    if r.status != 303:
        raise RuntimeError(f"sign-in answered {r.status}")
    session = cookie(r.getheaders(), "recoup_session")
    conn.close()
    return session


def timed(port: int, pid: int, path: str, headers: dict[str, str]) -> dict:
    """REPEATS sequential GETs on one keep-alive connection (after two warm-ups): wall time and server CPU per request."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    times = []
    size = 0
    for i in range(REPEATS + 2):
        if i == 2:
            cpu_before = cpu_seconds(pid)
        start = time.perf_counter()
        conn.request("GET", path, headers=headers)
        r = conn.getresponse()
        body = r.read()
        elapsed = (time.perf_counter() - start) * 1000
        if r.status != 200:
            raise RuntimeError(f"GET {path} answered {r.status}: {body[:300]!r}")
        if i >= 2:
            times.append(elapsed)
            size = len(body)
    cpu_ms = (cpu_seconds(pid) - cpu_before) / REPEATS * 1000
    conn.close()
    times.sort()
    return {"path": path, "median_ms": statistics.median(times), "p95_ms": times[int(0.95 * (len(times) - 1))],
            "max_ms": times[-1], "server_cpu_ms": cpu_ms, "bytes": size}


def started(binary: Path, folder: Path, name: str, records: list[dict]) -> tuple[Server, str, str, float]:
    """A server of `binary` on a fresh file holding `records`: the server, an admin key, a warehouse key, ingest seconds."""
    server = Server(binary=binary, db=folder / f"{name}.sqlite", models=ROOT / "models")
    server.start()
    admin = server.admin_key or server.create_key("admin")
    warehouse_key = server.create_key("warehouse")
    start = time.monotonic()
    for i in range(0, len(records), BATCH):
        r = request(server.port, "POST", "/v1/returns", {"returns": records[i:i + BATCH]}, key=warehouse_key, timeout=120)
        if r.status != 200:
            raise RuntimeError(f"ingest answered {r.status}: {r.body[:300]!r}")
    return server, admin, warehouse_key, time.monotonic() - start


def before_lanes(records: list[dict], folder: Path, busiest: str) -> dict | None:
    """`GET /v1/lanes` on the BEFORE checkout's release binary with the same returns, or None without BEFORE."""
    if not os.environ.get("BEFORE"):
        return None
    checkout = Path(os.environ["BEFORE"])
    binary = checkout / ".build" / "release" / "recoup"
    commit = os.popen(f"git -C {checkout} rev-parse --short HEAD").read().strip()
    server, admin, warehouse_key, _ = started(binary, folder, "before", records)
    api = {"Authorization": f"Bearer {warehouse_key}"}
    result = {"commit": commit, "pages": [
        dict(timed(server.port, server.process.pid, f"/v1/lanes?warehouse={busiest}", api), name="GET /v1/lanes (one warehouse, the API)"),
        dict(timed(server.port, server.process.pid, "/v1/lanes", api), name="GET /v1/lanes (all warehouses)"),
    ]}
    server.stop()
    return result


def main() -> None:
    binary = recoup_binary()
    folder = temp_folder("bench-pages")
    records = generate_records(binary, QUEUED, 91, folder)
    server, admin, warehouse_key, ingest_s = started(binary, folder, "pages", records)
    lanes = request(server.port, "GET", "/v1/lanes", key=admin).json()["lanes"]
    queued = sum(lane["depth"] for lane in lanes)
    warehouses = sorted({rec["warehouse_id"] for rec in records})
    busiest = max(warehouses, key=lambda w: sum(1 for rec in records if rec["warehouse_id"] == w))
    print(f"ingested {len(records)} returns in {ingest_s:.0f} s; {queued} queued; busiest warehouse {busiest}", file=sys.stderr)

    session = sign_in(server.port, warehouse_key)
    page = {"Cookie": f"recoup_session={session}"}
    api = {"Authorization": f"Bearer {warehouse_key}"}
    station = urlencode({"warehouse": busiest, "station": "bench"})
    admin_session = {"Cookie": f"recoup_session={sign_in(server.port, admin)}"}
    flagged = request(server.port, "GET", "/v1/anomalies?limit=1", key=admin).json()["anomalies"]
    item = records[0]["return_id"]
    cases = [
        ("lane board (one warehouse)", f"/ui/lanes?{station}", page),
        ("lane board refresh (the table alone)", f"/ui/lanes/board?{station}", page),
        ("GET /v1/lanes (one warehouse, the API)", f"/v1/lanes?warehouse={busiest}", api),
        ("lane board (all warehouses)", "/ui/lanes?warehouse=&station=", page),
        ("GET /v1/lanes (all warehouses)", "/v1/lanes", api),
        ("item card", f"/ui/items/{item}", page),
        ("risk review (open flags)", "/ui/risk", admin_session),
        ("overview", "/ui/overview", admin_session),
        ("models", "/ui/models", admin_session),
    ]
    if flagged:
        cases.insert(6, ("risk item", f"/ui/risk/{flagged[0]['return_id']}", admin_session))
    results = []
    for name, path, headers in cases:
        result = dict(timed(server.port, server.process.pid, path, headers), name=name)
        results.append(result)
        print(f"{name}: median {result['median_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms, "
              f"server CPU {result['server_cpu_ms']:.1f} ms, {result['bytes']} bytes", file=sys.stderr)
    server.stop()
    before = before_lanes(records, folder, busiest)
    board = results[0]
    result = {
        "before": before,
        "queued": queued, "ingested": len(records), "ingest_s": ingest_s, "warehouses": len(warehouses), "busiest": busiest,
        "repeats": REPEATS, "pages": results, "target_ms": TARGET_MS,
        "board_p95_ms": board["p95_ms"], "met": board["p95_ms"] < TARGET_MS,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "pages.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
