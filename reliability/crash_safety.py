#!/usr/bin/env python3
"""Crash safety: nothing acknowledged is lost and no item is leased twice, across SIGKILLs of the server.

Starts `recoup serve` on a fresh database, then at once:
- ingest threads POST batches of generated returns (the contract CSV of `recoup generate` less its label columns) to
  `/v1/returns`; a batch whose reply never came (connection refused, reset, cut short) is sent again once the server
  is back: ingest is idempotent on return_id, so a batch stored before the kill is simply accepted again;
- claimer threads lease items from the lanes (`POST /v1/lanes/{lane}/claims`, integer lease lengths of 5-8 s), then
  release the claim, complete the items' inspections, or abandon the lease to expire;
- the main thread SIGKILLs the server at random moments (--kills times, at least 5) and restarts it.

Then, on the restarted server, for everything the server acknowledged with a 2xx:
- every return with status `accepted` is there (`GET /v1/returns/{id}`) with the same assessment and a queue state;
- every acknowledged inspection left its item completed with the inspection stored; every acknowledged claim and
  release is in the item's history;
- no item was leased twice with overlapping leases: for two claims of the same item, the later one starts
  (its `expires_at` less its lease length) no earlier than the earlier one's `expires_at`, unless the earlier one was
  released (or its item inspected) first; the same check runs over the server's own history of every item, which
  also holds the claims whose reply the kill cut off. With integer lease lengths this is exact despite the
  one-second resolution of the timestamps: floor(t + L) = floor(t) + L.

Standard library only. Usage: crash_safety.py [--rows N] [--kills K] [--seed S]
"""

from __future__ import annotations

import argparse
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

from common import Server, generate_records, log, recoup_binary, remove_folder, request, temp_folder, write_result, ROOT

NAME = "crash_safety"
DISPOSITIONS = ["restock_new", "open_box", "refurbish", "outlet", "liquidate", "return_to_vendor", "donate", "dispose"]


def ts(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class Run:
    def __init__(self, server: Server, key: str, seed: int):
        self.server = server
        self.key = key
        self.lock = threading.Lock()
        self.rng = random.Random(seed)
        self.acked: dict[str, dict] = {}  # return_id -> assessment acknowledged
        self.claims: list[dict] = []  # acknowledged claims: token, lease, expires_at, ids
        self.released: dict[str, list[str]] = {}  # token -> ids the acknowledged release put back
        self.inspected: dict[str, str] = {}  # return_id -> token of the acknowledged inspection
        self.pairs: set[tuple[str, str]] = set()  # (lane, warehouse) with acknowledged items
        self.unacknowledged = {"ingest": 0, "claim": 0, "release": 0, "inspection": 0}
        self.refusals: list[str] = []  # 4xx/5xx that no kill explains
        self.ingest_done = threading.Event()
        self.stop_claimers = threading.Event()
        self.server_up = threading.Event()

    def call(self, kind: str, method: str, path: str, body=None):
        """A request; None when the server went away before answering (the caller decides whether to retry)."""
        try:
            r = request(self.server.port, method, path, body, key=self.key, timeout=30)
        except OSError:
            with self.lock:
                self.unacknowledged[kind] += 1
            self.server_up.wait(timeout=30)
            time.sleep(0.05)
            return None
        return r

    def ingest_worker(self, batches: list[list[dict]], index: int, stride: int) -> None:
        mine = batches[index::stride]
        for batch in mine:
            while True:
                r = self.call("ingest", "POST", "/v1/returns", {"returns": batch})
                if r is None:
                    continue  # not acknowledged: send the same batch again
                if r.status == 503:  # overloaded or starting: not acknowledged either
                    time.sleep(0.1)
                    continue
                if r.status != 200:
                    with self.lock:
                        self.refusals.append(f"ingest: {r.status} {r.body[:200]!r}")
                    break
                reply = r.json()
                with self.lock:
                    for result in reply["results"]:
                        if result.get("status") == "accepted":
                            a = result["assessment"]
                            self.acked[result["return_id"]] = a
                            self.pairs.add((a["lane"], next(x for x in batch if x["return_id"] == result["return_id"])["warehouse_id"]))
                        else:
                            self.refusals.append(f"ingest: record {result.get('return_id')} {result.get('status')}: {result.get('error')}")
                break

    def claimer(self, station: str, seed: int) -> None:
        rng = random.Random(seed)
        while not self.stop_claimers.is_set():
            with self.lock:
                pairs = sorted(self.pairs)
            if not pairs:
                time.sleep(0.05)
                continue
            lane, warehouse = rng.choice(pairs)
            lease = rng.randint(5, 8)
            r = self.call("claim", "POST", f"/v1/lanes/{lane}/claims",
                          {"warehouse_id": warehouse, "station_id": station, "count": rng.randint(1, 5), "lease_seconds": lease})
            if r is None or r.status == 503:
                continue
            if r.status != 200:
                with self.lock:
                    self.refusals.append(f"claim {lane}/{warehouse}: {r.status} {r.body[:200]!r}")
                continue
            c = r.json()
            ids = [i["return_id"] for i in c["items"]]
            with self.lock:
                self.claims.append({"token": c["token"], "lease": lease, "expires_at": c["expires_at"], "ids": ids, "station": station})
            if not ids:
                time.sleep(0.05)
                continue
            action = rng.random()
            time.sleep(rng.uniform(0, 0.2))
            if action < 0.35:
                r = self.call("release", "POST", f"/v1/claims/{c['token']}/release")
                if r is not None and r.status == 200:
                    with self.lock:
                        self.released[c["token"]] = r.json()["released"]
            elif action < 0.75:
                for rid in ids:
                    body = {"claim_token": c["token"], "grade": rng.choice("ABCD"), "disposition": rng.choice(DISPOSITIONS),
                            "recovery_value": round(rng.uniform(0, 200), 2), "fraud_confirmed": rng.random() < 0.05,
                            "notes": f"crash test {station}"}
                    r = self.call("inspection", "POST", f"/v1/returns/{rid}/inspection", body)
                    if r is None or r.status == 503:
                        continue  # unknown outcome; the lease runs out on its own
                    if r.status == 200:
                        with self.lock:
                            self.inspected[rid] = c["token"]
                    elif r.status != 409:  # 409: the lease expired while the server was down
                        with self.lock:
                            self.refusals.append(f"inspection {rid}: {r.status} {r.body[:200]!r}")
            # else: abandon the lease; it expires and the item goes back to its lane


def verify(run: Run, ports: list[int] | None = None, workers: int = 4) -> dict:
    """The checks above over what `run` (a Run, or any object with its server, key, acked, claims, released and
    inspected) recorded. The returns are read back through `ports` in turn (default: the run's server) with `workers`
    threads; the result holds every item read (`details`) for the callers' own checks."""
    problems: list[str] = []
    lost = 0
    port, key = run.server.port, run.key
    ports = ports or [port]
    details: dict[str, dict] = {}
    claimed_ids = {rid for c in run.claims for rid in c["ids"]}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        fetched = dict(zip(run.acked, pool.map(
            lambda pair: request(ports[pair[0] % len(ports)], "GET", f"/v1/returns/{pair[1]}", key=key), enumerate(run.acked))))
    for rid, assessment in run.acked.items():
        r = fetched[rid]
        if r.status != 200:
            lost += 1
            problems.append(f"acknowledged return {rid} is missing: GET answered {r.status}")
            continue
        d = r.json()
        details[rid] = d
        if d.get("assessment") != assessment:
            lost += 1
            problems.append(f"return {rid}: the stored assessment differs from the acknowledged one")
        q = d.get("queue")
        if not q or q.get("state") not in ("queued", "leased", "completed"):
            lost += 1
            problems.append(f"return {rid}: no queue state ({q})")
    # Items claimed but never acknowledged as ingested cannot exist: a claim only hands out stored items.
    for rid in claimed_ids - set(details):
        r = request(port, "GET", f"/v1/returns/{rid}", key=key)
        if r.status == 200:
            details[rid] = r.json()
        else:
            problems.append(f"claimed item {rid} is missing: GET answered {r.status}")
    for rid, token in run.inspected.items():
        d = details.get(rid)
        if not d or (d.get("queue") or {}).get("state") != "completed" or not d.get("inspection"):
            lost += 1
            problems.append(f"acknowledged inspection of {rid} (claim {token}) is missing")
    for c in run.claims:
        for rid in c["ids"]:
            hist = details.get(rid, {}).get("history", [])
            if not any(h["kind"] == "claimed" and f"token {c['token']}," in (h.get("detail") or "") for h in hist):
                lost += 1
                problems.append(f"acknowledged claim {c['token']} of {rid} is not in its history")
    for token, ids in run.released.items():
        for rid in ids:
            hist = details.get(rid, {}).get("history", [])
            if not any(h["kind"] == "released" and h.get("detail") == f"token {token}" for h in hist):
                lost += 1
                problems.append(f"acknowledged release {token} of {rid} is not in its history")

    # The insights' running totals count what is stored, no more and no less: they are written in the same
    # transactions as the returns and inspections they count, so a kill cannot leave them behind or count twice.
    analyst = run.server.create_key("analyst")
    summary = request(port, "GET", "/v1/summary", key=analyst).json()
    leakage = request(port, "GET", "/v1/insights/leakage?by=channel", key=analyst).json()["rows"]
    counted = (sum(r["returns"] for r in leakage), sum(r["inspected"] for r in leakage))
    if counted != (summary["returns"], summary["inspected"]):
        problems.append(f"insight totals count {counted} returns and inspections; the store holds "
                        f"{(summary['returns'], summary['inspected'])}")
    cycles = request(port, "GET", "/v1/insights/cycle-times", key=analyst).json()["rows"]
    timed = sum(s["count"] for row in cycles for s in row["stages"] if s["stage"] == "received_to_inspected")
    if timed != summary["inspected"]:
        problems.append(f"cycle times count {timed} inspections; the store holds {summary['inspected']}")
    # The monitoring profile counts every stored return once (added in the ingest's transaction; a resent batch
    # whose first try was stored is a duplicate and not counted again).
    monitor = request(port, "GET", "/v1/models/monitor?days=3660", key=analyst).json()
    profiled = sum((d.get("report") or {}).get("rows", 0) for d in monitor["drift"] if d["role"] == "serving")
    if profiled != summary["returns"]:
        problems.append(f"the monitoring profile counts {profiled} returns; the store holds {summary['returns']}")

    # Overlap, from the acknowledged claims: expires_at and the lease length.
    by_item: dict[str, list[dict]] = {}
    for c in run.claims:
        for rid in c["ids"]:
            by_item.setdefault(rid, []).append(c)
    client_overlaps = 0
    for rid, claims in by_item.items():
        hist = details.get(rid, {}).get("history", [])

        def ended_before(token: str, start: float, later: str) -> bool:
            """The lease of `token` ended (released, or the item inspected) at or before `start`, or before the claim
            `later` in the item's history. The history is in the order its entries were written, which for one item
            is the order of the transactions that locked it; its times are each request's clock reading, taken before
            the request waited for a connection or a lock, so with concurrent writers (several replicas on
            PostgreSQL) a claim may be stamped a few milliseconds before the release that freed its item."""
            later_at = next((i for i, h in enumerate(hist)
                             if h["kind"] == "claimed" and f"token {later}," in (h.get("detail") or "")), None)
            for i, h in enumerate(hist):
                ends = ((h["kind"] == "released" and h.get("detail") == f"token {token}")
                        or (h["kind"] == "inspected" and run.inspected.get(rid) == token))
                if ends and (ts(h["at"]) <= start or (later_at is not None and i < later_at)):
                    return True
            return False

        claims = sorted(claims, key=lambda c: ts(c["expires_at"]) - c["lease"])
        for a, b in zip(claims, claims[1:]):
            start_b = ts(b["expires_at"]) - b["lease"]
            if start_b < ts(a["expires_at"]) and not ended_before(a["token"], start_b, b["token"]):
                client_overlaps += 1
                problems.append(f"{rid}: claim {b['token']} from {start_b} overlaps claim {a['token']} until {a['expires_at']}")

    # Overlap, from the server's history of every item (claims whose reply was lost included).
    history_overlaps = 0
    leases_seen = 0
    for rid, d in details.items():
        holder: tuple[str, float] | None = None
        completed = False
        for h in d.get("history", []):
            kind, at, detail = h["kind"], ts(h["at"]), h.get("detail") or ""
            if kind == "claimed":
                leases_seen += 1
                token = detail.split("token ")[1].split(",")[0]
                lease = float(detail.split("lease ")[1].split(" s")[0])
                if completed:
                    history_overlaps += 1
                    problems.append(f"{rid}: claimed by {token} after its inspection was completed")
                if holder and holder[0] != token and at < holder[1]:
                    history_overlaps += 1
                    problems.append(f"{rid}: claim {token} at {h['at']} while {holder[0]} held it until {holder[1]}")
                holder = (token, at + lease)
            elif kind == "released" and holder and detail == f"token {holder[0]}":
                holder = None
            elif kind in ("lease_expired", "reassessed"):
                holder = None
            elif kind == "inspected":
                if completed:
                    history_overlaps += 1
                    problems.append(f"{rid}: inspected twice")
                completed = True
                holder = None
    return {"lost": lost, "problems": problems, "client_overlaps": client_overlaps, "history_overlaps": history_overlaps,
            "leases_in_history": leases_seen, "details": details}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=40)
    parser.add_argument("--kills", type=int, default=8)
    parser.add_argument("--ingesters", type=int, default=4)
    parser.add_argument("--claimers", type=int, default=4)
    parser.add_argument("--min-seconds", type=float, default=30, help="claimers run at least this long")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    if args.kills < 5:
        parser.error("--kills must be at least 5")
    started = time.monotonic()
    binary = recoup_binary()
    folder = temp_folder(NAME)
    log(NAME, f"seed {args.seed}, {args.rows} returns in batches of {args.batch}, {args.kills} kills, folder {folder}")
    records = generate_records(binary, args.rows, args.seed % 1_000_000, folder)
    batches = [records[i:i + args.batch] for i in range(0, len(records), args.batch)]
    server = Server(binary, folder / "recoup.sqlite", ROOT / "models")
    server.start()
    key = server.create_key("warehouse")
    run = Run(server, key, args.seed)
    run.server_up.set()
    threads = [threading.Thread(target=run.ingest_worker, args=(batches, i, args.ingesters)) for i in range(args.ingesters)]
    threads += [threading.Thread(target=run.claimer, args=(f"S{i}", args.seed + i)) for i in range(args.claimers)]
    for t in threads:
        t.start()

    rng = random.Random(args.seed)
    kill_log = []
    for k in range(args.kills):
        time.sleep(rng.uniform(0.3, 2.5))
        with run.lock:
            acked_before = len(run.acked)
        run.server_up.clear()
        server.kill()
        kill_log.append({"at_s": round(time.monotonic() - started, 2), "acknowledged_returns": acked_before})
        time.sleep(rng.uniform(0.05, 0.5))
        server.start()
        run.server_up.set()
        log(NAME, f"kill {k + 1}/{args.kills}: {acked_before} returns acknowledged so far; restarted")
    for t in threads[:args.ingesters]:
        t.join()
    # Let the claimers go on until the leases of the last kill's claims have run out and been claimed again.
    time.sleep(max(1.0, args.min_seconds - (time.monotonic() - started)))
    run.stop_claimers.set()
    for t in threads[args.ingesters:]:
        t.join()
    log(NAME, f"ingest done: {len(run.acked)} returns, {len(run.claims)} claims, {len(run.released)} releases, "
              f"{len(run.inspected)} inspections acknowledged; verifying")
    result = verify(run)
    server.stop()
    problems = result["problems"] + run.refusals
    for p in problems[:20]:
        log(NAME, f"problem: {p}")
    missing_returns = len(records) - len(run.acked)
    if missing_returns:
        problems.append(f"{missing_returns} returns were never acknowledged")
    cases = len(run.acked) + len(run.claims) + sum(len(v) for v in run.released.values()) + len(run.inspected)
    write_result(
        NAME, "Crash safety (SIGKILL x%d)" % args.kills, cases=cases, failures=len(problems), lost=result["lost"],
        seconds=time.monotonic() - started,
        details={
            "seed": args.seed, "kills": args.kills, "kill_log": kill_log, "returns_acknowledged": len(run.acked),
            "claims_acknowledged": len(run.claims), "releases_acknowledged": len(run.released),
            "inspections_acknowledged": len(run.inspected), "requests_cut_by_kills": run.unacknowledged,
            "leases_in_history": result["leases_in_history"], "overlapping_leases_client": result["client_overlaps"],
            "overlapping_leases_history": result["history_overlaps"], "problems": problems[:50],
        })
    remove_folder(folder, bool(problems or result["lost"]), NAME)


if __name__ == "__main__":
    main()
