"""HTTP load benchmark of `recoup serve` with wrk on loopback (issue 7): single-record scoring, batch scoring,
durable ingest in batches, and claims. wrk shares the two cores with the server, as a client on the same box would.

Prints a JSON object (also written to benchmarks/out/server.json). Run by benchmarks/bench_server.sh.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "reliability"))
from common import Server, generate_records, recoup_binary, request, temp_folder  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
LUA = ROOT / "benchmarks" / "lua"
DURATION = "12s"


def wrk(url: str, script: str, body_file: Path, key: str, connections: int, threads: int = 2, duration: str = DURATION) -> dict:
    env = {"BODY_FILE": str(body_file), "KEY": key, "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}", "--latency", "-s", str(LUA / script), url],
        capture_output=True, text=True, env=env, check=True,
    ).stdout

    def latency(p: str) -> float:
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return float("nan")
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors:.*", out)
    return {
        "requests_per_s": rps, "p50_ms": latency("50"), "p99_ms": latency("99"),
        "non_2xx": int(errors.group(1)) if errors else 0, "socket_errors": socket_errors.group(0) if socket_errors else "",
        "connections": connections,
    }


def main() -> None:
    binary = recoup_binary()
    folder = temp_folder("bench-server")
    records = generate_records(binary, 20_000, 77, folder)
    server = Server(binary=binary, db=folder / "bench.sqlite", models=ROOT / "models", extra=["--max-concurrent-requests", "1024"])
    server.start()
    key = server.admin_key or server.create_key("admin")
    url = f"http://127.0.0.1:{server.port}"
    results: dict[str, dict] = {}

    one = folder / "one.json"
    one.write_text(json.dumps(records[0]))
    results["score_single"] = wrk(f"{url}/v1/score", "post.lua", one, key, connections=64)

    batch = folder / "batch.json"
    batch.write_text(json.dumps({"returns": records[:1000]}))
    r = wrk(f"{url}/v1/score", "post.lua", batch, key, connections=4)
    r["returns_per_s"] = r["requests_per_s"] * 1000
    results["score_batch_1000"] = r

    ingest = folder / "ingest.json"
    template = [dict(rec, return_id=f"__ID__-{i}") for i, rec in enumerate(records[:100])]
    ingest.write_text(json.dumps({"returns": template}))
    before = request(server.port, "GET", "/v1/summary", key=key).json()["returns"]
    start = time.monotonic()
    r = wrk(f"{url}/v1/returns", "ingest.lua", ingest, key, connections=8)
    elapsed = time.monotonic() - start
    stored = request(server.port, "GET", "/v1/summary", key=key).json()["returns"] - before
    r["returns_per_s"] = r["requests_per_s"] * 100
    r["returns_stored"] = stored
    r["stored_per_s"] = stored / elapsed
    results["ingest_batch_100"] = r

    r = wrk(f"{url}/v1/lanes/standard/claims", "claims.lua", one, key, connections=32, duration="8s")
    lanes = request(server.port, "GET", "/v1/lanes", key=key).json()["lanes"]
    r["items_leased"] = sum(l["leased"] for l in lanes)
    results["claims"] = r

    server.stop()
    results["server"] = {"rss_mib_at_end": None}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "server.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
