#!/usr/bin/env python3
"""The insights routes of `recoup serve` on a large store: `recoup-bench insights-store` fills a SQLite file with a
year of generated returns (planted problems included) through the store's ingest, claims and inspections (a share
`--inspected` of each day's arrivals inspected that day), then `recoup serve` answers `GET /v1/insights/root-causes`
(all dimensions, and each alone), `GET /v1/insights/leakage` (each grouping), `GET /v1/insights/cycle-times` and
`GET /v1/insights/repeat-returners`, each timed 3 times on the client (loopback), over all days and over the last 30.
Prints one JSON object.

Usage: bench_insights.py [--rows 1000000] [--inspected 0.2]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "reliability"))
from common import Server, recoup_binary, remove_folder, request, temp_folder  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--inspected", type=float, default=0.2)
    args = parser.parse_args()
    binary = recoup_binary()
    folder = temp_folder("bench-insights")
    db = folder / "insights.sqlite"
    fill = json.loads(subprocess.run([str(binary.parent / "recoup-bench"), "insights-store", "--rows", str(args.rows), "--db", str(db),
                                      "--inspected", str(args.inspected)],
                                     check=True, capture_output=True, text=True).stdout)
    server = Server(binary, db, ROOT / "models")
    server.start()
    key = server.admin_key
    timings = {}
    paths = ["/v1/insights/root-causes"] + [f"/v1/insights/root-causes?dimension={d}" for d in
                                             ("sku", "category", "channel", "brand_tier", "warehouse_id", "payment_method")]
    paths += [f"/v1/insights/leakage?by={b}" for b in ("channel", "category", "reason", "disposition", "warehouse_id", "week")]
    paths += ["/v1/insights/cycle-times", "/v1/insights/repeat-returners", "/v1/insights/root-causes?days=30",
              "/v1/insights/leakage?by=week&days=30", "/v1/insights/cycle-times?days=30"]
    findings = None
    for path in paths:
        seconds = []
        for _ in range(3):
            start = time.monotonic()
            r = request(server.port, "GET", path, key=key, timeout=120)
            seconds.append(time.monotonic() - start)
            assert r.status == 200, (path, r.status, r.body[:300])
        if path == "/v1/insights/root-causes":
            findings = len(r.json()["root_causes"])
        timings[path] = {"min": min(seconds), "max": max(seconds)}
    server.stop()
    remove_folder(folder, False, "bench-insights")
    print(json.dumps({"rows": args.rows, "inspected": fill["inspected"], "fill_seconds": fill["seconds"], "findings_all_dimensions": findings, "routes": timings}, indent=1))


if __name__ == "__main__":
    main()
