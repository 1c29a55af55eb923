"""HTTP load benchmark of `recoup serve` with wrk on loopback (issue 7): single-record scoring, batch scoring,
durable ingest in batches, and claims. wrk shares the two cores with the server, as a client on the same box would.

Prints a JSON object (also written to benchmarks/out/server.json). Run by benchmarks/bench_server.sh.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "reliability"))
from common import Server, free_port, generate_records, recoup_binary, request, temp_folder  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
LUA = ROOT / "benchmarks" / "lua"
DURATION = "12s"


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(url: str, script: str, body_file: Path, key: str, connections: int, pid: int, threads: int = 2,
        duration: str = DURATION, env: dict[str, str] | None = None) -> dict:
    """One wrk run; with the server's CPU time per request (`pid` is the server's process). `env`: more variables for
    the script."""
    env = {"BODY_FILE": str(body_file), "KEY": key, "PATH": "/usr/bin:/bin"} | (env or {})
    cpu_before, start = cpu_seconds(pid), time.monotonic()
    children_before = os.times().children_user + os.times().children_system
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}", "--latency", "-s", str(LUA / script), url],
        capture_output=True, text=True, env=env, check=True,
    ).stdout
    cpu, elapsed = cpu_seconds(pid) - cpu_before, time.monotonic() - start
    wrk_cpu = os.times().children_user + os.times().children_system - children_before

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
        "connections": connections, "server_cores": cpu / elapsed, "wrk_cores": wrk_cpu / elapsed, "server_cpu_us_per_request": cpu / (rps * elapsed) * 1e6,
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

    pid = server.process.pid
    one = folder / "one.json"
    one.write_text(json.dumps(records[0]))
    results["score_single"] = wrk(f"{url}/v1/score", "post.lua", one, key, connections=64, pid=pid)
    results["score_single_no_reasons"] = wrk(f"{url}/v1/score?explain=false", "post.lua", one, key, connections=64, pid=pid)

    batch = folder / "batch.json"
    batch.write_text(json.dumps({"returns": records[:1000]}))
    for name, query in [("score_batch_1000", ""), ("score_batch_1000_no_reasons", "?explain=false")]:
        r = wrk(f"{url}/v1/score{query}", "post.lua", batch, key, connections=4, pid=pid)
        r["returns_per_s"] = r["requests_per_s"] * 1000
        results[name] = r

    ingest = folder / "ingest.json"
    template = [dict(rec, return_id=f"__ID__-{i}") for i, rec in enumerate(records[:100])]
    ingest.write_text(json.dumps({"returns": template}))
    before = request(server.port, "GET", "/v1/summary", key=key).json()["returns"]
    start = time.monotonic()
    r = wrk(f"{url}/v1/returns", "ingest.lua", ingest, key, connections=8, pid=pid)
    elapsed = time.monotonic() - start
    stored = request(server.port, "GET", "/v1/summary", key=key).json()["returns"] - before
    r["returns_per_s"] = r["requests_per_s"] * 100
    r["returns_stored"] = stored
    r["stored_per_s"] = stored / elapsed
    results["ingest_batch_100"] = r

    r = wrk(f"{url}/v1/lanes/standard/claims", "claims.lua", one, key, connections=32, pid=pid, duration="8s")
    lanes = request(server.port, "GET", "/v1/lanes", key=key).json()["lanes"]
    r["items_leased"] = sum(l["leased"] for l in lanes)
    results["claims"] = r

    rss = server.rss_kib()
    server.stop()
    results["server"] = {"rss_mib_at_end": rss / 1024 if rss else None}
    results["framework_ceiling"] = framework_ceiling(binary.parent / "recoup-bench", one)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "server.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


def start_ceiling(bench: Path) -> tuple[subprocess.Popen, int]:
    """Starts `recoup-bench http-baseline` on a free port and waits until it accepts connections."""
    port = free_port()
    process = subprocess.Popen([str(bench), "http-baseline", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    return process, port


def framework_ceiling(bench: Path, body: Path) -> dict:
    """`recoup-bench http-baseline`: Hummingbird alone (read the body, answer a fixed body of a one-record answer's
    size), under the single-record load: what the framework and the kernel cost per request on this machine."""
    process, port = start_ceiling(bench)
    try:
        return wrk(f"http://127.0.0.1:{port}/v1/score", "post.lua", body, "none", connections=64, pid=process.pid)
    finally:
        process.terminate()
        process.wait()


if __name__ == "__main__":
    main()
