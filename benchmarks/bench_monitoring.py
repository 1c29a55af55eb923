"""Durable ingest with model monitoring on against off (issue "Model monitoring"): the same release binary started
twice on fresh SQLite files, `recoup serve` and `recoup serve --no-monitoring`, measured in turn for several rounds
(wrk, batches of 100, 8 connections; wrk shares the two cores). Monitoring on counts every stored return into its
model's profile of the day in the ingest's transaction and stores its unrounded predictions.

Prints a JSON object (also written to benchmarks/out/monitoring.json) and a Markdown table on standard error.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "reliability"))
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_server import wrk  # noqa: E402
from common import Server, generate_records, recoup_binary, request, temp_folder  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
ROUNDS = 5
DURATION = "8s"


def main() -> None:
    binary = recoup_binary()
    folder = temp_folder("bench-monitoring")
    records = generate_records(binary, 2_000, 78, folder)
    servers = {}
    for name, extra in [("on", []), ("off", ["--no-monitoring"])]:
        server = Server(binary=binary, db=folder / f"{name}.sqlite", models=ROOT / "models", extra=extra)
        server.start()
        servers[name] = (server, server.admin_key or server.create_key("admin"))
    rounds = []
    for r in range(ROUNDS):
        entry = {}
        for name in (["on", "off"] if r % 2 == 0 else ["off", "on"]):
            server, key = servers[name]
            # ingest.lua numbers requests from 1 in every run: a run-specific template keeps every return new.
            ingest = folder / f"ingest-{name}-{r}.json"
            ingest.write_text(json.dumps({"returns": [dict(rec, return_id=f"R{r}-__ID__-{i}") for i, rec in enumerate(records[:100])]}))
            before = request(server.port, "GET", "/v1/summary", key=key).json()["returns"]
            start = time.monotonic()
            result = wrk(f"http://127.0.0.1:{server.port}/v1/returns", "ingest.lua", ingest, key, connections=8,
                         pid=server.process.pid, duration=DURATION)
            stored = request(server.port, "GET", "/v1/summary", key=key).json()["returns"] - before
            result["stored_per_s"] = stored / (time.monotonic() - start)
            entry[name] = result
        entry["ratio"] = entry["on"]["stored_per_s"] / entry["off"]["stored_per_s"]
        rounds.append(entry)
        print(f"round {r + 1}: on {entry['on']['stored_per_s']:.0f}/s, off {entry['off']['stored_per_s']:.0f}/s", file=sys.stderr)
    monitor = request(servers["on"][0].port, "GET", "/v1/models/monitor", key=servers["on"][1]).json()
    for server, _ in servers.values():
        server.stop()
    result = {
        "rounds": rounds,
        "on_stored_per_s": statistics.median(r["on"]["stored_per_s"] for r in rounds),
        "off_stored_per_s": statistics.median(r["off"]["stored_per_s"] for r in rounds),
        "ratio_median": statistics.median(r["ratio"] for r in rounds),
        "profile_rows_counted": sum((d.get("report") or {}).get("rows", 0) for d in monitor["drift"]),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "monitoring.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
