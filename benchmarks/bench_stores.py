"""SQLite against PostgreSQL, with one and with three replicas (issue 13): durable ingest in batches of 100 and
claims of one item by 32 stations, with wrk on loopback, one run on this machine.

PostgreSQL runs in a throwaway cluster (scripts/postgres-cluster.sh: fsync and synchronous_commit on, as in
production), the replicas are `recoup serve` processes on one database; wrk's connections are split over the
replicas (one wrk per replica, run at once). Everything shares the machine's cores: wrk, the servers and PostgreSQL.

Figures: returns/s stored (the summary's count before and after, over the wall time) and items/s leased (the lanes'
leased count after, over the wall time), not requests/s, so that empty claims and refusals do not count.

Prints a JSON object (also written to benchmarks/out/stores.json). Usage: bench_stores.py [--seconds S]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "reliability"))
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_server import LUA, wrk  # noqa: E402
from common import PostgresCluster, Server, generate_records, recoup_binary, request, temp_folder  # noqa: E402

OUT = ROOT / "benchmarks" / "out"


def split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def load(servers: list[Server], path: str, script: str, body: Path, key: str, connections: int, seconds: int,
         env: dict[str, str] | None = None) -> list[dict]:
    """One wrk per server at once, `connections` split between them."""
    with ThreadPoolExecutor(len(servers)) as pool:
        runs = [
            pool.submit(wrk, f"http://127.0.0.1:{s.port}{path}", script, body, key, c, s.process.pid, 1 if len(servers) > 1 else 2,
                        f"{seconds}s", env)
            for s, c in zip(servers, split(connections, len(servers)))
        ]
        return [r.result() for r in runs]


def measure(name: str, servers: list[Server], key: str, records: list[dict], folder: Path, seconds: int) -> dict:
    first = servers[0].port
    ingest = folder / "ingest.json"
    ingest.write_text(json.dumps({"returns": [dict(rec, return_id=f"__ID__-{i}") for i, rec in enumerate(records[:100])]}))
    before = request(first, "GET", "/v1/summary", key=key).json()["returns"]
    start = time.monotonic()
    runs = load(servers, "/v1/returns", "ingest.lua", ingest, key, 8, seconds)
    elapsed = time.monotonic() - start
    stored = request(first, "GET", "/v1/summary", key=key).json()["returns"] - before
    result = {
        "ingest_returns_per_s": stored / elapsed,
        "ingest_p99_ms": max(r["p99_ms"] for r in runs),
        "ingest_non_2xx": sum(r["non_2xx"] for r in runs),
        "returns_stored": stored,
    }
    one = folder / "one.json"
    one.write_text("{}")
    # Every lane of every warehouse that holds items: each claim can lease one.
    pairs = [f"{lane['lane']}:{wh}" for wh in ["WH1", "WH2", "WH3", "WH4", "WH5"]
             for lane in request(first, "GET", f"/v1/lanes?warehouse={wh}", key=key).json()["lanes"] if lane["depth"] - lane["leased"] > 0]
    start = time.monotonic()
    runs = load(servers, "/v1/lanes/standard/claims", "claims_open.lua", one, key, 32, seconds, {"PAIRS": ",".join(pairs)})
    elapsed = time.monotonic() - start
    leased = sum(lane["leased"] for lane in request(first, "GET", "/v1/lanes", key=key).json()["lanes"])
    result |= {
        "leased_items_per_s": leased / elapsed,
        "claim_requests_per_s": sum(r["requests_per_s"] for r in runs),
        "claims_p99_ms": max(r["p99_ms"] for r in runs),
        "lanes_claimed_from": len(pairs),
        "claims_non_2xx": sum(r["non_2xx"] for r in runs),
        "items_leased": leased,
    }
    print(f"{name}: {json.dumps(result)}", file=sys.stderr, flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=12)
    args = parser.parse_args()
    binary = recoup_binary()
    folder = temp_folder("bench-stores")
    records = generate_records(binary, 2_000, 91, folder)
    models = ROOT / "models"
    extra = ["--max-concurrent-requests", "1024"]
    results: dict[str, dict] = {}

    sqlite = Server(binary=binary, db=folder / "bench.sqlite", models=models, extra=extra)
    sqlite.start()
    try:
        results["sqlite"] = measure("sqlite", [sqlite], sqlite.admin_key or sqlite.create_key("admin"), records, folder, args.seconds)
    finally:
        sqlite.stop()

    cluster = PostgresCluster(folder / "pg")
    url = cluster.start()
    try:
        for replicas in (1, 3):
            db = cluster.create_database(f"bench{replicas}")
            servers = [Server(binary=binary, db=db, models=models, extra=extra, log_dir=folder) for _ in range(replicas)]
            try:
                for s in servers:  # the first alone: it creates the admin key
                    s.start()
                key = servers[0].admin_key or servers[0].create_key("admin")
                results[f"postgres_{replicas}"] = measure(f"postgres, {replicas} replica(s)", servers, key, records, folder, args.seconds)
            finally:
                for s in servers:
                    s.stop()
        settings = subprocess.run(
            ["psql", url, "-tAc", "SELECT name || '=' || setting FROM pg_settings WHERE name IN "
             "('synchronous_commit', 'fsync', 'shared_buffers', 'max_connections', 'server_version') ORDER BY name"],
            capture_output=True, text=True, check=True,
        ).stdout.splitlines()
        results["postgres_settings"] = dict(s.split("=", 1) for s in settings if "=" in s)
    finally:
        cluster.stop()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "stores.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
