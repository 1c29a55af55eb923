#!/usr/bin/env python3
"""Replicas: three `recoup serve` on one PostgreSQL database, one of them SIGKILLed while its stations hold leases.

Starts a throwaway PostgreSQL cluster (`scripts/postgres-cluster.sh`) with a database of its own, the first replica
alone (it creates the schema and prints the admin key), then two more on the same database. Then:
- ingest: --rows generated returns (the contract CSV of `recoup generate` less its label columns) in batches of
  --batch, sent to the replicas in turn by a few threads; every batch must be acknowledged (200, all `accepted`);
- stations: --stations threads, station i working through replica i mod 3, claim 1-4 items
  (`POST /v1/lanes/{lane}/claims`, integer lease lengths of 5-8 s) from a lane and warehouse that has items waiting
  (from `GET /v1/lanes?warehouse=`, read twice a second), then complete each item's inspection
  (`POST /v1/returns/{id}/inspection`, through their own replica or, one time in three, another one), or release
  the claim, or abandon it to expire. Now and then a station sends an inspection it had acknowledged again
  (through another replica), or waits until its lease has run out before completing: both must be refused with
  409, never stored a second time;
- midway (when about half the items are completed) the main thread SIGKILLs one replica. The leases its stations
  hold at that moment are noted; those stations move to the other two replicas and leave their claims: the items
  must come back when the leases expire and be completed through the other replicas;
- the stations stop when `GET /v1/lanes` shows no item left (or at --deadline: whatever is left is stuck).

Then, through the surviving replicas:
- every return is stored with the acknowledged assessment, completed, with its inspection and exactly one
  `inspected` entry in its history; no inspection was acknowledged twice; every acknowledged claim and release is in
  the item's history; no item was leased twice with overlapping leases, from the acknowledged claims and from the
  server's history of every item (the checks of crash_safety.py, `verify`); the insight totals match the store;
- every lease held by the killed replica's stations ended (expired) and its item was claimed again and completed
  afterwards (or its inspection, in flight at the kill, had been stored before it);
- `GET /v1/lanes` on each surviving replica, for all warehouses and for each one: depth 0 and nothing leased.

Standard library only. Usage: replicas.py [--rows N] [--stations S] [--seed S]
"""

from __future__ import annotations

import argparse
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

from common import (ROOT, PostgresCluster, Server, generate_records, log, recoup_binary, remove_folder, request, temp_folder,
                    write_result)
from crash_safety import DISPOSITIONS, ts, verify

NAME = "replicas"
REPLICAS = 3


class Run:
    def __init__(self, servers: list[Server], key: str, rows: int, seed: int):
        self.servers = servers
        self.key = key
        self.rows = rows
        self.lock = threading.Lock()
        self.acked: dict[str, dict] = {}  # return_id -> assessment acknowledged
        self.warehouse: dict[str, str] = {}  # return_id -> warehouse_id
        self.claims: list[dict] = []  # acknowledged claims: token, lease, expires_at, ids, station, replica
        self.released: dict[str, list[str]] = {}  # token -> ids the acknowledged release put back
        self.inspected: dict[str, str] = {}  # return_id -> token of the acknowledged inspection
        self.inspection_acks: Counter[str] = Counter()  # return_id -> inspections acknowledged (must stay <= 1)
        self.dead: set[int] = set()  # replicas killed
        self.home: dict[str, int] = {}  # station -> replica it works through
        self.current: dict[str, dict] = {}  # station -> the claim it holds now: token, lease, ids not yet completed
        self.waiting: dict[tuple[str, str], int] = {}  # (lane, warehouse) -> items claimable, from GET /v1/lanes
        self.problems: list[str] = []
        self.statuses: Counter[str] = Counter()  # "kind status" of every answer
        self.per_replica: Counter[str] = Counter()  # requests answered per replica
        self.cut: Counter[str] = Counter()  # requests cut off by the kill (no answer)
        self.expected_409 = Counter()  # deliberate second completions and late completions refused with 409
        self.late_409 = 0  # a completion refused because its lease ran out while the station worked (explained)
        self.moves: list[str] = []
        self.stop = threading.Event()

    def problem(self, text: str) -> None:
        with self.lock:
            self.problems.append(text)

    def live(self) -> list[int]:
        with self.lock:
            return [i for i in range(len(self.servers)) if i not in self.dead]

    def call(self, replica: int, kind: str, method: str, path: str, body=None):
        """A request through one replica; None when no answer came (the replica was killed, or a failure noted)."""
        started = time.monotonic()
        try:
            r = request(self.servers[replica].port, method, path, body, key=self.key, timeout=30)
        except OSError as error:
            with self.lock:
                killed = replica in self.dead
                self.cut[kind] += 1
            if not killed:
                self.problem(f"{kind} {method} {path} on replica {replica}: no answer ({error!r}) "
                             f"after {time.monotonic() - started:.1f} s, and the replica was not killed")
            return None
        with self.lock:
            self.statuses[f"{kind} {r.status}"] += 1
            self.per_replica[f"replica {replica}"] += 1
        if r.status >= 500:
            self.problem(f"{kind} {method} {path} on replica {replica}: {r.status} {r.body[:300]!r}")
        return r

    # ----- ingest

    def ingest_worker(self, batches: list[list[dict]], next_batch: list[int]) -> None:
        while True:
            with self.lock:
                j = next_batch[0]
                next_batch[0] += 1
            if j >= len(batches):
                return
            batch = batches[j]
            r = self.call(j % REPLICAS, "ingest", "POST", "/v1/returns", {"returns": batch})
            if r is None or r.status != 200:
                if r is not None and r.status < 500:
                    self.problem(f"ingest batch {j}: {r.status} {r.body[:300]!r}")
                continue
            with self.lock:
                for result, record in zip(r.json()["results"], batch):
                    if result.get("status") == "accepted" and result["return_id"] == record["return_id"]:
                        self.acked[result["return_id"]] = result["assessment"]
                        self.warehouse[result["return_id"]] = record["warehouse_id"]
                    else:
                        self.problems.append(f"ingest: record {record['return_id']}: {result}")

    # ----- stations

    def refresh_waiting(self) -> int | None:
        """Reads the lanes of every warehouse; returns the items left (depth) over all lanes, None when unreadable."""
        live = self.live()
        if not live:
            return None
        replica = live[0]
        waiting: dict[tuple[str, str], int] = {}
        for warehouse in sorted(set(self.warehouse.values())):
            r = self.call(replica, "lanes", "GET", f"/v1/lanes?warehouse={warehouse}")
            if r is None or r.status != 200:
                return None
            for lane in r.json()["lanes"]:
                waiting[(lane["lane"], warehouse)] = lane["depth"] - lane["leased"]
        r = self.call(replica, "lanes", "GET", "/v1/lanes")
        if r is None or r.status != 200:
            return None
        with self.lock:
            self.waiting = waiting
        return sum(lane["depth"] for lane in r.json()["lanes"])

    def move(self, station: str, index: int) -> None:
        """The station's replica is gone: it goes on through one of the others."""
        live = self.live()
        with self.lock:
            before = self.home[station]
            self.home[station] = live[index % len(live)]
            self.moves.append(f"{station}: replica {before} -> {self.home[station]}")

    def station(self, station: str, index: int, seed: int) -> None:
        rng = random.Random(seed)
        empty_until: dict[tuple[str, str], float] = {}
        while not self.stop.is_set():
            now = time.monotonic()
            with self.lock:
                pairs = [p for p, n in self.waiting.items() if n > 0 and empty_until.get(p, 0) <= now]
                replica = self.home[station]
            if not pairs:
                time.sleep(0.1)
                continue
            lane, warehouse = rng.choice(pairs)
            lease = rng.randint(5, 8)
            r = self.call(replica, "claim", "POST", f"/v1/lanes/{lane}/claims",
                          {"warehouse_id": warehouse, "station_id": station, "count": rng.randint(1, 4), "lease_seconds": lease})
            claimed_at = time.monotonic()
            if r is None:
                if replica in self.dead:
                    self.move(station, index)
                continue
            if r.status != 200:
                if r.status < 500:
                    self.problem(f"claim {lane}/{warehouse} by {station}: {r.status} {r.body[:300]!r}")
                continue
            c = r.json()
            ids = [i["return_id"] for i in c["items"]]
            claim = {"token": c["token"], "lease": lease, "expires_at": c["expires_at"], "ids": ids, "station": station,
                     "replica": replica}
            with self.lock:
                self.claims.append(claim)
                self.current[station] = {"token": c["token"], "lease": lease, "expires_at": c["expires_at"],
                                         "ids": list(ids), "replica": replica}
            if not ids:
                empty_until[(lane, warehouse)] = time.monotonic() + 0.5
                continue
            action = rng.random()
            if action < 0.08:
                r = self.call(replica, "release", "POST", f"/v1/claims/{c['token']}/release")
                if r is None and replica in self.dead:
                    self.move(station, index)
                elif r is not None and r.status == 200:
                    with self.lock:
                        self.released[c["token"]] = r.json()["released"]
                elif r is not None:
                    self.problem(f"release {c['token']}: {r.status} {r.body[:300]!r}")
            elif action < 0.13:
                pass  # abandoned: the lease runs out and the items go back to their lane
            elif action < 0.135:
                # Late: the lease runs out while the station works; the completion must be refused.
                if self.stop.wait(lease + 1.5):
                    break
                self.complete(station, index, rng, c["token"], ids[0], replica, expect_409="late")
            else:
                for rid in ids:
                    if self.stop.is_set() or replica in self.dead:
                        break  # a station whose replica is gone leaves the rest of its claim
                    through = replica if rng.random() < 0.67 else rng.choice(self.live())
                    outcome = self.complete(station, index, rng, c["token"], rid, through, claimed_at=claimed_at, lease=lease)
                    if outcome is None:
                        break  # the replica is gone: the station leaves the rest of this claim
                    with self.lock:
                        self.current[station]["ids"].remove(rid)
            with self.lock:
                self.current.pop(station, None)

    def complete(self, station: str, index: int, rng: random.Random, token: str, rid: str, replica: int,
                 expect_409: str | None = None, claimed_at: float = 0.0, lease: int = 0) -> int | None:
        body = {"claim_token": token, "grade": rng.choice("ABCD"), "disposition": rng.choice(DISPOSITIONS),
                "recovery_value": round(rng.uniform(0, 200), 2), "fraud_confirmed": rng.random() < 0.05,
                "notes": f"replicas {station}"}
        r = self.call(replica, "inspection", "POST", f"/v1/returns/{rid}/inspection", body)
        if r is None:
            if replica in self.dead and self.home[station] == replica:
                self.move(station, index)
            return None
        if expect_409:
            if r.status == 409:
                with self.lock:
                    self.expected_409[expect_409] += 1
            else:
                self.problem(f"{expect_409} completion of {rid} with claim {token} through replica {replica}: "
                             f"{r.status} {r.body[:300]!r} (expected 409)")
            return r.status
        if r.status == 200:
            with self.lock:
                self.inspected[rid] = token
                self.inspection_acks[rid] += 1
                again = self.inspection_acks[rid] > 1
            if again:
                self.problem(f"inspection of {rid} acknowledged a second time (claim {token}, replica {replica})")
            if rng.random() < 0.03:  # the same inspection again, through another replica: already completed
                others = [i for i in self.live() if i != replica] or [replica]
                self.complete(station, index, rng, token, rid, rng.choice(others), expect_409="again")
        elif r.status == 409 and time.monotonic() - claimed_at >= lease - 1.5:
            with self.lock:
                self.late_409 += 1  # this station was too slow: its lease ran out (the item comes back)
        elif r.status < 500:
            self.problem(f"inspection of {rid} with claim {token} through replica {replica}, "
                         f"{time.monotonic() - claimed_at:.1f} s into a {lease} s lease: {r.status} {r.body[:300]!r}")
        return r.status


def check_held(held: list[dict], details: dict[str, dict], killed_at: float) -> tuple[dict, list[str]]:
    """Every lease held by the killed replica's stations ran out and its item was claimed again and completed."""
    problems: list[str] = []
    counts = Counter()
    for h in held:
        rid, token = h["rid"], h["token"]
        hist = details.get(rid, {}).get("history", [])
        mine = next((i for i, e in enumerate(hist) if e["kind"] == "claimed" and f"token {token}," in (e.get("detail") or "")), None)
        inspected = [i for i, e in enumerate(hist) if e["kind"] == "inspected"]
        if mine is None or len(inspected) != 1:
            problems.append(f"held item {rid} (claim {token}): claim in history {mine is not None}, inspections {len(inspected)}")
            continue
        # The history is in the order of the transactions that locked the item: the claims between the held one and
        # the inspection.
        after = [hist[i] for i in range(mine + 1, inspected[0]) if hist[i]["kind"] == "claimed"]
        inspected = [hist[inspected[0]]]
        if after:
            if ts(after[0]["at"]) < ts(h["expires_at"]):
                problems.append(f"held item {rid}: claimed again at {after[0]['at']} before its lease ended {h['expires_at']}")
            else:
                counts["claimed_again_and_completed"] += 1
        elif ts(inspected[0]["at"]) <= killed_at + 2 and inspected[0].get("actor") == h["station"]:
            counts["completed_by_a_request_in_flight_at_the_kill"] += 1
        else:
            problems.append(f"held item {rid} (claim {token}): completed at {inspected[0]['at']} with no claim after the kill")
    return dict(counts), problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--stations", type=int, default=64)
    parser.add_argument("--ingesters", type=int, default=6)
    parser.add_argument("--deadline", type=float, default=200, help="seconds the stations get to complete everything")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    started = time.monotonic()
    binary = recoup_binary()
    folder = temp_folder(NAME)
    log(NAME, f"seed {args.seed}, {args.rows} returns, {REPLICAS} replicas, {args.stations} stations, folder {folder}")
    rng = random.Random(args.seed)
    cluster = PostgresCluster(folder / "pg")
    servers: list[Server] = []
    failed = True
    try:
        cluster.start()
        url = cluster.create_database("replicas")
        records = generate_records(binary, args.rows, args.seed % 1_000_000, folder)
        batches = [records[i:i + args.batch] for i in range(0, len(records), args.batch)]
        servers = [Server(binary, url, ROOT / "models", log_dir=folder) for _ in range(REPLICAS)]
        servers[0].start()  # alone first: it creates the schema and the admin key
        if not servers[0].admin_key:
            raise RuntimeError(f"the first replica printed no admin key: {servers[0].log_path}")
        for s in servers[1:]:
            s.start()
        key = servers[0].create_key("warehouse")
        run = Run(servers, key, args.rows, args.seed)
        # The admin key of the first replica works on the others: they share the database.
        for i, s in enumerate(servers):
            r = request(s.port, "GET", "/v1/lanes", key=servers[0].admin_key)
            if r.status != 200:
                run.problem(f"the admin key printed by replica 0 answered {r.status} on replica {i}")

        t0 = time.monotonic()
        next_batch = [0]
        threads = [threading.Thread(target=run.ingest_worker, args=(batches, next_batch)) for _ in range(args.ingesters)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        ingest_seconds = time.monotonic() - t0
        log(NAME, f"ingest: {len(run.acked)} returns acknowledged in {ingest_seconds:.1f} s")

        t1 = time.monotonic()
        run.refresh_waiting()
        stations = [f"S{i:02d}" for i in range(args.stations)]
        for i, s in enumerate(stations):
            run.home[s] = i % REPLICAS
        threads = [threading.Thread(target=run.station, args=(s, i, args.seed + i)) for i, s in enumerate(stations)]
        for t in threads:
            t.start()
        victim = rng.randrange(REPLICAS)
        held: list[dict] = []
        killed_at = None
        stuck = None
        while True:
            time.sleep(0.5)
            left = run.refresh_waiting()
            with run.lock:
                done = len(run.inspected)
            if killed_at is None and done >= len(run.acked) // 2:
                with run.lock:
                    for station, c in run.current.items():
                        if run.home[station] == victim:
                            held += [{"rid": rid, "token": c["token"], "expires_at": c["expires_at"], "station": station}
                                     for rid in c["ids"]]
                    run.dead.add(victim)
                    servers[victim].kill()
                killed_at = time.time()
                log(NAME, f"SIGKILL replica {victim} at {done} inspections; its stations held {len(held)} items")
            if left == 0 and killed_at is not None:
                break
            if time.monotonic() - t1 > args.deadline:
                stuck = left
                run.problem(f"the stations did not complete every item within {args.deadline} s: {left} left")
                break
        run.stop.set()
        for t in threads:
            t.join()
        stations_seconds = time.monotonic() - t1
        log(NAME, f"stations: {len(run.claims)} claims, {len(run.released)} releases, {len(run.inspected)} inspections "
                  f"acknowledged in {stations_seconds:.1f} s; verifying")

        live = [i for i in range(REPLICAS) if i not in run.dead]
        view = SimpleNamespace(server=servers[live[0]], key=key, acked=run.acked, claims=run.claims, released=run.released,
                               inspected=run.inspected)
        t2 = time.monotonic()
        result = verify(view, ports=[servers[i].port for i in live], workers=8)
        details = result["details"]
        problems = list(result["problems"])
        lost = result["lost"]
        # Exactly once: every return completed, with its inspection, inspected once in its history.
        not_completed = 0
        for rid in run.acked:
            d = details.get(rid)
            if d is None:
                continue  # counted by verify
            inspections = sum(1 for h in d.get("history", []) if h["kind"] == "inspected")
            if (d.get("queue") or {}).get("state") != "completed" or not d.get("inspection") or inspections != 1:
                not_completed += 1
                problems.append(f"{rid}: state {(d.get('queue') or {}).get('state')}, inspection "
                                f"{'stored' if d.get('inspection') else 'missing'}, {inspections} inspected in its history")
        twice = sorted(rid for rid, n in run.inspection_acks.items() if n > 1)
        held_counts, held_problems = check_held(held, details, killed_at or 0)
        problems += held_problems
        if not held:
            problems.append(f"the stations of replica {victim} held no lease when it was killed")
        # Nothing stuck: no item waiting or leased, on every surviving replica, for all warehouses and each one.
        lanes_left = {}
        for i in live:
            for query in ["", *(f"?warehouse={w}" for w in sorted(set(run.warehouse.values())))]:
                r = request(servers[i].port, "GET", f"/v1/lanes{query}", key=key)
                left = [(lane["lane"], lane["depth"], lane["leased"]) for lane in r.json()["lanes"]
                        if lane["depth"] or lane["leased"]] if r.status == 200 else [("status", r.status, 0)]
                if left:
                    lanes_left[f"replica {i} /v1/lanes{query}"] = left
        for where, left in lanes_left.items():
            problems.append(f"{where}: not empty: {left}")
        verify_seconds = time.monotonic() - t2
        problems += run.problems
        for s in servers:
            s.stop()
        missing_returns = len(records) - len(run.acked)
        if missing_returns:
            problems.append(f"{missing_returns} returns were never acknowledged")
        lost += not_completed if not stuck else 0
        for p in problems[:20]:
            log(NAME, f"problem: {p}")
        cases = (len(run.acked) + len(run.claims) + sum(len(v) for v in run.released.values()) + len(run.inspected)
                 + sum(run.expected_409.values()))
        failures = len(problems) + len(twice)
        write_result(
            NAME, f"Replicas on PostgreSQL ({REPLICAS}, 1 SIGKILL)", cases=cases, failures=failures, lost=lost,
            seconds=time.monotonic() - started,
            details={
                "seed": args.seed, "replicas": REPLICAS, "stations": args.stations, "returns_acknowledged": len(run.acked),
                "claims_acknowledged": len(run.claims), "releases_acknowledged": len(run.released),
                "inspections_acknowledged": len(run.inspected), "completed_exactly_once": len(run.acked) - not_completed,
                "inspections_acknowledged_twice": twice[:20],
                "second_completions_refused_409": dict(run.expected_409),
                "completions_refused_409_lease_ran_out": run.late_409,
                "killed_replica": victim, "leases_held_at_kill": len(held), "held_items": held_counts,
                "station_moves": len(run.moves), "requests_cut_by_kill": dict(run.cut),
                "statuses": dict(sorted(run.statuses.items())), "requests_per_replica": dict(sorted(run.per_replica.items())),
                "leases_in_history": result["leases_in_history"], "overlapping_leases_client": result["client_overlaps"],
                "overlapping_leases_history": result["history_overlaps"], "lanes_not_empty": lanes_left,
                "seconds_ingest": round(ingest_seconds, 1), "seconds_stations": round(stations_seconds, 1),
                "seconds_verify": round(verify_seconds, 1), "problems": problems[:50],
            })
        failed = bool(failures or lost)
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
