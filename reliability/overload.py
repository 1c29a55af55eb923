#!/usr/bin/env python3
"""Overload: many more requests in flight than the server admits.

Starts `recoup serve --max-concurrent-requests N` (small), then --clients threads send scoring batches and queue reads
as fast as they can for --seconds, twice (two bursts with a pause between). Pass when:
- every answer is a 200, or a 503/429 carrying `Retry-After` (load shed); some requests were shed; no connection is
  dropped and no other status appears;
- afterwards the server recovers: `/healthz` and a normal scoring request answer 200 at the first try;
- memory stays bounded: VmRSS (sampled from /proc every 20 ms during the bursts) peaks below --max-rss-mib, and the
  second burst does not grow it beyond the first by more than 20% + 32 MiB (no growth with the load's duration).

Standard library only. Usage: overload.py [--limit N] [--clients C] [--seconds S]
"""

from __future__ import annotations

import argparse
import collections
import random
import threading
import time

from common import Server, generate_records, log, recoup_binary, remove_folder, request, temp_folder, write_result, ROOT

NAME = "overload"


def burst(server: Server, key: str, records: list[dict], clients: int, seconds: float, seed: int):
    statuses: collections.Counter = collections.Counter()
    problems: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    peak = [0]
    sampling = threading.Event()

    def sample():
        while not sampling.is_set():
            rss = server.rss_kib() or 0
            peak[0] = max(peak[0], rss)
            time.sleep(0.02)

    def client(i: int):
        rng = random.Random(seed + i)
        while time.monotonic() < stop:
            kind = rng.random()
            try:
                if kind < 0.7:
                    start = rng.randrange(0, len(records) - 200)
                    r = request(server.port, "POST", "/v1/score", {"returns": records[start:start + rng.randint(50, 200)]}, key=key)
                elif kind < 0.9:
                    r = request(server.port, "GET", "/v1/lanes", key=key)
                else:
                    r = request(server.port, "GET", "/healthz")
            except OSError as error:
                with lock:
                    statuses["connection error"] += 1
                    problems.append(f"connection error: {error!r}")
                continue
            with lock:
                statuses[r.status] += 1
                if r.status in (503, 429):
                    if "retry-after" not in r.headers:
                        problems.append(f"{r.status} without Retry-After")
                elif r.status != 200:
                    problems.append(f"unexpected {r.status}: {r.body[:200]!r}")

    sampler = threading.Thread(target=sample)
    sampler.start()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sampling.set()
    sampler.join()
    return statuses, problems, peak[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=4, help="--max-concurrent-requests of the server")
    parser.add_argument("--clients", type=int, default=48)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--max-rss-mib", type=int, default=1024)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    started = time.monotonic()
    binary = recoup_binary()
    folder = temp_folder(NAME)
    records = generate_records(binary, 2000, args.seed, folder)
    server = Server(binary, folder / "recoup.sqlite", ROOT / "models", extra=["--max-concurrent-requests", str(args.limit)])
    server.start()
    key = server.admin_key
    # Something in the queue, so that lane reads do real work.
    r = request(server.port, "POST", "/v1/returns", {"returns": records[:500]}, key=key)
    assert r.status == 200, r.body
    baseline = server.rss_kib()
    log(NAME, f"server admits {args.limit} requests at once; {args.clients} clients for {args.seconds} s, twice; RSS at rest {baseline} KiB")
    results = []
    for n in range(2):
        statuses, problems, peak = burst(server, key, records, args.clients, args.seconds, args.seed + 1000 * n)
        results.append((statuses, problems, peak))
        log(NAME, f"burst {n + 1}: {dict(statuses)}, peak RSS {peak / 1024:.0f} MiB")
        time.sleep(1.0)
    # Recovery: the first try must succeed.
    recovery = []
    h = request(server.port, "GET", "/healthz")
    recovery.append(("healthz", h.status))
    s = request(server.port, "POST", "/v1/score", records[0], key=key)
    recovery.append(("score", s.status))
    after = server.rss_kib()
    server.stop()

    problems = [p for _, ps, _ in results for p in ps]
    statuses = sum((st for st, _, _ in results), collections.Counter())
    shed = statuses[503] + statuses[429]
    if shed == 0:
        problems.append("nothing was shed: the load never exceeded the limit")
    for what, status in recovery:
        if status != 200:
            problems.append(f"no recovery: {what} answered {status} after the burst")
    peak1, peak2 = results[0][2], results[1][2]
    peak = max(peak1, peak2)
    if peak > args.max_rss_mib * 1024:
        problems.append(f"peak RSS {peak // 1024} MiB is above {args.max_rss_mib} MiB")
    if peak2 > peak1 * 1.2 + 32 * 1024:
        problems.append(f"RSS grew from burst 1 ({peak1 // 1024} MiB) to burst 2 ({peak2 // 1024} MiB)")
    for p in problems[:20]:
        log(NAME, f"problem: {p}")
    write_result(
        NAME, f"Overload (limit {args.limit}, {args.clients} clients)", cases=sum(statuses.values()), failures=len(problems), lost=None,
        seconds=time.monotonic() - started,
        details={
            "limit": args.limit, "clients": args.clients, "seconds_per_burst": args.seconds,
            "statuses": {str(k): v for k, v in sorted(statuses.items(), key=lambda kv: str(kv[0]))}, "shed": shed,
            "rss_rest_mib": round((baseline or 0) / 1024, 1), "rss_peak_burst1_mib": round(peak1 / 1024, 1),
            "rss_peak_burst2_mib": round(peak2 / 1024, 1), "rss_after_mib": round((after or 0) / 1024, 1),
            "recovery": dict(recovery), "problems": problems[:50],
        })
    remove_folder(folder, bool(problems), NAME)


if __name__ == "__main__":
    main()
