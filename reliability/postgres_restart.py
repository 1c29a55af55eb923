#!/usr/bin/env python3
"""PostgreSQL restart: the database crashes and recovers under two replicas, which are never restarted.

Starts a throwaway PostgreSQL cluster (`scripts/postgres-cluster.sh`) with a database of its own and two replicas of
`recoup serve` on it (the first alone first). Then at once:
- ingest threads POST batches of generated returns to `/v1/returns` through the replicas in turn, paced so that they
  run through every outage; a batch without a 2xx (503, no answer) is sent again (ingest is idempotent on return_id);
- claimer threads (crash_safety.py's) lease items (`POST /v1/lanes/{lane}/claims`, integer leases of 5-8 s), then
  release the claim, complete the items' inspections or abandon the lease to expire;
- a probe thread asks both replicas for `/readyz` and `GET /v1/lanes` every 0.1 s;
- the main thread crashes PostgreSQL --outages times (default 3): `postgres-cluster.sh restart DIR immediate`
  (an immediate shutdown, so a crash recovery at start), except the middle outage, which stops the cluster
  immediately, leaves it down for --down seconds, then starts it (the same crash and recovery, with a window long
  enough to see what the replicas answer while there is no database at all).

Required: no answer is a 500 and none takes longer than --hang seconds (or never comes); every 503 carries
Retry-After; while the cluster is down (the middle outage, between the stop and the start, 12 s by default),
`/readyz` is 503 on each replica, and every request that waits on the database (sent at least --hang seconds before
the start, still unanswered a second after the stop) gets a 503 with Retry-After, not an answer held until
PostgreSQL is back; after each outage `/readyz` is 200 again on both replicas within
--recovery seconds, and both replica processes are the ones started at the beginning. Afterwards every acknowledged
return, claim, release and inspection is there, no item was leased twice with overlapping leases, and the insight
totals match the store (crash_safety.py's `verify`).

Standard library only. Usage: postgres_restart.py [--rows N] [--outages K] [--seed S]
"""

from __future__ import annotations

import argparse
import random
import threading
import time
from collections import Counter
from pathlib import Path

import crash_safety
from common import ROOT, PostgresCluster, Server, generate_records, log, recoup_binary, remove_folder, request, temp_folder, write_result

NAME = "postgres_restart"


class Run(crash_safety.Run):
    """crash_safety's bookkeeping, ingest and claimers, through two replicas, with every answer checked."""

    def __init__(self, servers: list[Server], key: str, seed: int, hang: float, ingest_pause: float):
        super().__init__(servers[0], key, seed)
        self.servers = servers
        self.hang = hang
        self.ingest_pause = ingest_pause
        self.local = threading.local()
        self.turn = 0
        self.answers: list[tuple[float, float, int, str, int, bool]] = []  # sent, answered, replica, kind, status, retry-after
        self.server_errors: list[str] = []  # 500s and other 5xx but 503
        self.hangs: list[str] = []  # no answer, or later than `hang`
        self.no_retry_after: list[str] = []
        self.outages_done = threading.Event()
        self.stop_probe = threading.Event()

    def replica(self) -> int:
        """The replicas in turn, per thread (each thread starts with another one)."""
        if not hasattr(self.local, "n"):
            with self.lock:
                self.local.n = self.turn
                self.turn += 1
        self.local.n += 1
        return self.local.n % len(self.servers)

    def send(self, replica: int, kind: str, method: str, path: str, body=None, key: str | None = None):
        """One request, its answer noted and checked; None when no answer came in time."""
        port = self.servers[replica].port
        sent = time.time()
        try:
            r = request(port, method, path, body, key=key, timeout=self.hang + 5)
        except OSError as error:
            with self.lock:
                self.unacknowledged[kind] = self.unacknowledged.get(kind, 0) + 1
                self.hangs.append(f"{kind} {method} {path} on replica {replica} at {sent:.1f}: no answer after "
                                  f"{time.time() - sent:.1f} s ({error!r})")
            return None
        answered = time.time()
        with self.lock:
            self.answers.append((sent, answered, replica, kind, r.status, "retry-after" in r.headers))
            if answered - sent > self.hang:
                self.hangs.append(f"{kind} {method} {path} on replica {replica} at {sent:.1f}: {r.status} after "
                                  f"{answered - sent:.1f} s")
            if r.status >= 500 and r.status != 503:
                self.server_errors.append(f"{kind} {method} {path} on replica {replica} at {sent:.1f}: {r.status} {r.body[:300]!r}")
            if r.status == 503 and "retry-after" not in r.headers and kind != "readyz":
                self.no_retry_after.append(f"{kind} {method} {path} on replica {replica}: 503 without Retry-After {r.body[:200]!r}")
        return r

    def call(self, kind: str, method: str, path: str, body=None):
        """crash_safety's workers call this: None (not acknowledged: the caller sends it again or moves on) for no
        answer and for a 5xx; a 503 is returned after its Retry-After (at most 1 s)."""
        if kind == "ingest" and not self.outages_done.is_set():
            time.sleep(self.ingest_pause)
        r = self.send(self.replica(), kind, method, path, body, key=self.key)
        if r is None or (r.status >= 500 and r.status != 503):
            time.sleep(0.2)
            return None
        if r.status == 503:
            try:
                time.sleep(min(1.0, float(r.headers.get("retry-after", "0.2"))))
            except ValueError:
                time.sleep(0.2)
        return r

    def probe(self, replica: int, kind: str) -> None:
        """`/readyz` (kind readyz) or `GET /v1/lanes` (kind probe) on one replica every 0.1 s."""
        while not self.stop_probe.is_set():
            if kind == "readyz":
                self.send(replica, kind, "GET", "/readyz")
            else:
                self.send(replica, kind, "GET", "/v1/lanes", key=self.key)
            time.sleep(0.1)


def ready_again(run: Run, since: float, limit: float) -> dict:
    """Waits until /readyz is 200 on every replica; the seconds each took from `since` (None: not within `limit`)."""
    took: dict[str, float | None] = {}
    for i, s in enumerate(run.servers):
        while True:
            r = run.send(i, "readyz", "GET", "/readyz")
            if r is not None and r.status == 200:
                took[f"replica {i}"] = round(time.time() - since, 2)
                break
            if time.time() - since > limit:
                took[f"replica {i}"] = None
                break
            time.sleep(0.1)
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=8_000)
    parser.add_argument("--batch", type=int, default=40)
    parser.add_argument("--outages", type=int, default=3)
    parser.add_argument("--down", type=float, default=12.0, help="seconds the cluster stays down in the middle outage")
    parser.add_argument("--ingesters", type=int, default=4)
    parser.add_argument("--claimers", type=int, default=8)
    parser.add_argument("--hang", type=float, default=8.0, help="seconds an answer may take at most")
    parser.add_argument("--recovery", type=float, default=20.0, help="seconds /readyz may take to be 200 again")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    if args.outages < 2:
        parser.error("--outages must be at least 2")
    if args.down < args.hang + 2:
        parser.error("--down must be at least --hang + 2 s: requests sent while PostgreSQL is down must get their 503 before it is back")
    started = time.monotonic()
    binary = recoup_binary()
    folder = temp_folder(NAME)
    log(NAME, f"seed {args.seed}, {args.rows} returns, 2 replicas, {args.outages} outages, folder {folder}")
    rng = random.Random(args.seed)
    cluster = PostgresCluster(folder / "pg")
    servers: list[Server] = []
    failed = True
    try:
        cluster.start()
        url = cluster.create_database("restart")
        records = generate_records(binary, args.rows, args.seed % 1_000_000, folder)
        batches = [records[i:i + args.batch] for i in range(0, len(records), args.batch)]
        servers = [Server(binary, url, ROOT / "models", log_dir=folder) for _ in range(2)]
        servers[0].start()
        servers[1].start()
        key = servers[0].create_key("warehouse")
        # Paced so that ingest goes on through the outages: about 30 s of batches without them.
        run = Run(servers, key, args.seed, args.hang, ingest_pause=30.0 * args.ingesters / len(batches))
        run.server_up.set()
        threads = [threading.Thread(target=run.ingest_worker, args=(batches, i, args.ingesters)) for i in range(args.ingesters)]
        threads += [threading.Thread(target=run.claimer, args=(f"S{i}", args.seed + i)) for i in range(args.claimers)]
        probes = [threading.Thread(target=run.probe, args=(i, kind)) for i in range(len(servers)) for kind in ("readyz", "probe")]
        for t in [*threads, *probes]:
            t.start()

        outages = []
        middle = args.outages // 2
        for k in range(args.outages):
            time.sleep(rng.uniform(3, 5))
            with run.lock:
                acked_before = len(run.acked)
            outage = {"mode": "stop, down, start" if k == middle else "restart", "acknowledged_returns_before": acked_before,
                      "began": time.time()}
            if k == middle:
                cluster.stop("immediate")
                outage["down_from"] = time.time()
                time.sleep(args.down)
                outage["down_until"] = time.time()
                cluster.start()
            else:
                cluster.restart("immediate")
            outage["back"] = time.time()
            outage["readyz_200_after_s"] = ready_again(run, outage["back"], args.recovery)
            outages.append(outage)
            log(NAME, f"outage {k + 1}/{args.outages} ({outage['mode']}): {outage['back'] - outage['began']:.1f} s; "
                      f"/readyz 200 again after {outage['readyz_200_after_s']} s")
        run.outages_done.set()
        for t in threads[:args.ingesters]:
            t.join()
        # The claimers go on until the leases cut off by the last outage have run out and been claimed again.
        time.sleep(10)
        run.stop_claimers.set()
        for t in threads[args.ingesters:]:
            t.join()
        run.stop_probe.set()
        for t in probes:
            t.join()
        log(NAME, f"ingest done: {len(run.acked)} returns, {len(run.claims)} claims, {len(run.released)} releases, "
                  f"{len(run.inspected)} inspections acknowledged; verifying")

        problems: list[str] = []
        # While the cluster was down: every request that waited on it (sent before the last --hang seconds of the
        # outage, still unanswered a second after the stop) is answered 503 (with Retry-After, checked above for every
        # 503), not held until PostgreSQL is back; and /readyz said 503 on each replica.
        for o in outages:
            statuses: Counter[str] = Counter()
            latest: float = 0.0
            began, back = o["began"], o["back"]
            for sent, answered, replica, kind, status, retry_after in run.answers:
                if began <= answered and sent <= back:
                    statuses[f"{kind} {status}"] += 1
                    latest = max(latest, answered - sent)
                if "down_from" in o and sent <= o["down_until"] - args.hang and answered >= o["down_from"] + 1.0 and status != 503:
                    problems.append(f"{kind} sent to replica {replica} {sent - o['down_from']:+.1f} s from the stop of PostgreSQL "
                                    f"(down for {args.down:.0f} s): {status} after {answered - sent:.1f} s, "
                                    f"{'once it was back' if answered > o['down_until'] else 'while it was down'}")
            o["answers_during"] = dict(sorted(statuses.items()))
            o["slowest_answer_during_s"] = round(latest, 2)
            if "down_from" in o:
                for i in range(len(servers)):
                    if not any(r == i and k == "readyz" and st == 503 and o["down_from"] <= a <= o["down_until"]
                               for s, a, r, k, st, _ in run.answers):
                        problems.append(f"/readyz on replica {i} never answered 503 while PostgreSQL was down")
            for replica, took in o["readyz_200_after_s"].items():
                if took is None:
                    problems.append(f"{replica}: /readyz not 200 within {args.recovery} s after outage ({o['mode']})")
        for i, s in enumerate(servers):
            if s.process.poll() is not None or s.starts != 1:
                problems.append(f"replica {i} exited ({s.process.returncode}) or was restarted")

        result = crash_safety.verify(run, ports=[s.port for s in servers], workers=4)
        problems += result["problems"] + run.refusals + run.server_errors + run.hangs + run.no_retry_after
        log_lines = []
        if run.server_errors or run.hangs:
            for i, s in enumerate(servers):
                log_lines += [f"replica {i}: {line}" for line in s.log_path.read_text(errors="replace").splitlines()
                              if "error" in line.lower()][:20]
        for s in servers:
            s.stop()
        missing_returns = len(records) - len(run.acked)
        if missing_returns:
            problems.append(f"{missing_returns} returns were never acknowledged")
        for p in problems[:20]:
            log(NAME, f"problem: {p}")
        statuses = Counter(f"{kind} {status}" for _, _, _, kind, status, _ in run.answers)
        during = sum(sum(o["answers_during"].values()) for o in outages)
        cases = len(run.acked) + len(run.claims) + sum(len(v) for v in run.released.values()) + len(run.inspected) + during
        for o in outages:
            for k in ("began", "back", "down_from", "down_until"):
                if k in o:
                    o[k] = round(o[k] - outages[0]["began"], 2)
        write_result(
            NAME, f"PostgreSQL crash and restart x{args.outages} (2 replicas)", cases=cases, failures=len(problems),
            lost=result["lost"], seconds=time.monotonic() - started,
            details={
                "seed": args.seed, "outages": outages, "returns_acknowledged": len(run.acked),
                "claims_acknowledged": len(run.claims), "releases_acknowledged": len(run.released),
                "inspections_acknowledged": len(run.inspected), "requests_answered": len(run.answers), "answers_during_outages": during,
                "statuses": dict(sorted(statuses.items())), "server_errors_5xx": len(run.server_errors),
                "hangs": len(run.hangs), "503_without_retry_after": len(run.no_retry_after),
                "requests_without_answer": run.unacknowledged,
                "leases_in_history": result["leases_in_history"], "overlapping_leases_client": result["client_overlaps"],
                "overlapping_leases_history": result["history_overlaps"], "server_log_errors": log_lines[:40],
                "problems": problems[:50],
            })
        failed = bool(problems or result["lost"])
    finally:
        for s in servers:
            s.kill()
        try:
            cluster.stop("fast")
        except Exception as error:  # noqa: BLE001 - reported, the folder is kept
            log(NAME, f"stopping PostgreSQL: {error}")
            failed = True
        remove_folder(folder, failed, NAME)


if __name__ == "__main__":
    main()
