#!/usr/bin/env python3
"""`make reliability`: runs every reliability check, prints one table and rewrites RELIABILITY.md.

Each check is a script of this folder that writes `reliability/out/<name>.json`; a check that dies without writing
its result counts as one failure. Exit status 1 when any check failed or lost a record.

Usage: run.py [--started EPOCH] [--only NAME ...]   (--started: when `make` began, so the total includes the builds)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from common import OUT, ROOT

HERE = Path(__file__).resolve().parent
# script, the results it writes, its time limit in seconds
STEPS = [
    ("swift_checks.py", ["swift_queue", "swift_parser_csv", "swift_parser_json", "swift_fused", "swift_auth", "swift_bundle", "swift_reload"], 420),
    ("crash_safety.py", ["crash_safety"], 240),
    ("api_fuzz.py", ["api_fuzz"], 360),
    ("overload.py", ["overload"], 180),
    ("model_faults.py", ["model_faults"], 180),
    ("replicas.py", ["replicas"], 420),
    ("postgres_restart.py", ["postgres_restart"], 300),
]


def machine() -> dict:
    mem = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {"nproc": os.cpu_count(), "memory": f"{int(mem.split()[1]) / 1024 / 1024:.1f} GiB", "kernel": platform.release(), "cpu": cpu}


def fmt(n) -> str:
    return "n/a" if n is None else f"{n:,}"


def table(results: list[dict]) -> list[str]:
    header = ["check", "cases tried", "failures", "records lost", "seconds"]
    rows = [[r["check"], fmt(r["cases"]), fmt(r["failures"]), fmt(r["lost"]), f"{r['seconds']:.0f}"] for r in results]
    lost = [r["lost"] for r in results if r["lost"] is not None]
    rows.append(["**total**", fmt(sum(r["cases"] for r in results)), fmt(sum(r["failures"] for r in results)), fmt(sum(lost)), ""])
    return ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] + ["---:"] * 4) + "|"] + ["| " + " | ".join(r) + " |" for r in rows]


def plain(results: list[dict]) -> str:
    rows = [["check", "cases", "failures", "lost", "s"]]
    rows += [[r["check"], fmt(r["cases"]), fmt(r["failures"]), fmt(r["lost"]), f"{r['seconds']:.0f}"] for r in results]
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    return "\n".join("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--started", type=float, default=None, help="epoch seconds when make began")
    parser.add_argument("--only", nargs="*", default=None, help="run only these scripts (no RELIABILITY.md rewrite)")
    args = parser.parse_args()
    began = time.time()
    started = args.started or began
    OUT.mkdir(parents=True, exist_ok=True)
    steps = [s for s in STEPS if args.only is None or s[0] in args.only or s[0].removesuffix(".py") in args.only]
    results: list[dict] = []
    walls: list[tuple[str, float]] = [("builds (release recoup, debug tests)", began - started)] if args.started else []
    for script, names, limit in steps:
        for name in names:
            (OUT / f"{name}.json").unlink(missing_ok=True)
        print(f"==> {script}", flush=True)
        t0 = time.monotonic()
        try:
            code = subprocess.run([sys.executable, str(HERE / script)], cwd=ROOT, timeout=limit).returncode
        except subprocess.TimeoutExpired:
            code = "timeout"
        walls.append((script, time.monotonic() - t0))
        for name in names:
            path = OUT / f"{name}.json"
            if path.exists():
                results.append(json.loads(path.read_text()) | {"name": name})
            else:
                results.append({"name": name, "check": f"{script} ({name})", "cases": 0, "failures": 1, "lost": None,
                                "seconds": time.monotonic() - t0, "details": {"problems": [f"{script} ended with {code} and wrote no result"]}})
    total = time.time() - started
    print()
    print(plain(results))
    failed = sum(r["failures"] for r in results) + sum(r["lost"] or 0 for r in results)
    scope = " (make reliability, builds included)" if args.started else ""
    print(f"\n{'PASS' if failed == 0 else 'FAIL'}: {len(results)} checks in {total / 60:.1f} min{scope}")
    if args.only is None:
        write_report(results, total, machine(), walls)
        print("wrote RELIABILITY.md")
    sys.exit(1 if failed else 0)


def details_of(results: list[dict], name: str) -> dict:
    return next((r["details"] for r in results if r["name"] == name), {})


def counts(d: dict | None) -> str:
    return ", ".join(f"{k}: {v:,}" for k, v in (d or {}).items()) or "none"


def write_report(results: list[dict], total: float, m: dict, walls: list[tuple[str, float]]) -> None:
    date = subprocess.run(["date", "-u"], capture_output=True, text=True).stdout.strip()
    crash = details_of(results, "crash_safety")
    over = details_of(results, "overload")
    fuzz = details_of(results, "api_fuzz")
    faults = details_of(results, "model_faults")
    problems = [f"- {r['check']}: {p}" for r in results for p in r["details"].get("problems", [])[:10]]
    lines = [
        "# Reliability",
        "",
        "Written by `make reliability` (`reliability/run.py`); do not edit by hand, run it again.",
        "",
        f"- date: {date}",
        f"- machine: {m['nproc']} cores ({m['cpu']}), {m['memory']} memory, Linux {m['kernel']}",
        f"- total time of `make reliability`, builds included: {total / 60:.1f} min ({total:.0f} s)",
        "",
        *table(results),
        "",
        "Wall time per step: " + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in walls) + ". The Swift suites run",
        "in parallel in one `swift test` (debug build, `RECOUP_RELIABILITY=1`), so their seconds (each test's own) overlap.",
        "The builds step is whatever `swift build` still had to do: on a fresh clone after `make test` (debug build",
        "present) it is the cold release build of `recoup`, about 5 minutes on this kind of machine when nothing else runs",
        "(measured 2026-11-27: 289 s, whole run 9.7 min); with nothing built at all, add the debug build of the tests.",
        "",
        "`records lost` is counted where a check can lose one: returns, claims, releases and inspections that the server",
        "acknowledged with a 2xx and that are not there after the kills (crash safety), items never completed (queue",
        "invariants). It must be 0.",
        "",
        "## What each check does",
        "",
        "- **Queue invariants** (`Tests/RecoupStoreTests/QueueInvariantTests.swift`): 64 concurrent stations over 50,000",
        "  random operations (claim, extend, release, let expire, complete) on a real SQLite file and on a PostgreSQL",
        "  database: every item is completed exactly once, none is lost, none is stuck. `make test` runs a small version.",
        "- **Replicas on PostgreSQL** (`reliability/replicas.py`): three `recoup serve` replicas on one database; 20,000",
        "  returns ingested through them in turn, then 64 stations claim (1-4 items, leases of 5-8 s), complete, release or",
        "  abandon through the replicas in turn, resending some inspections through another replica (must be 409). At half",
        "  the inspections one replica is killed with SIGKILL while its stations hold leases; its stations move to the",
        "  others. Then: every return stored with its acknowledged assessment, completed exactly once with one inspection",
        "  and one `inspected` history entry; every lease the killed replica's stations held expired and its item was",
        "  completed by another; no overlapping leases (acknowledged claims and the items' histories); the insights'",
        "  totals match the store; every lane empty on every surviving replica.",
        "- **PostgreSQL crash and restart** (`reliability/postgres_restart.py`): two replicas under ingest and claims while",
        "  PostgreSQL itself is restarted with `pg_ctl restart -m immediate` (a crash and recovery), twice, and stopped",
        "  for 12 s once. Requests during an outage get 503 with `Retry-After` within a few seconds (never a 500, never a",
        "  hang), `/readyz` is 503 while the database is down and 200 again after it is back, without restarting the",
        "  replicas; afterwards every acknowledged return, claim and inspection is there (crash safety's checks).",
        "- **Parser fuzzing** (`Tests/RecoupCoreTests/ParserFuzzTests.swift`, `Tests/RecoupFeaturesTests/FusedPathFuzzTests.swift`):",
        "  random and mutated CSV and JSON documents: no crash, no hang, every failure a typed error naming the record and",
        "  the field; the fused CSV-to-matrix path reports the same rows and errors as the record reader.",
        "- **Auth matrix** (`Tests/RecoupServerTests/AuthMatrixTests.swift`): every route against no key, a malformed header, a",
        "  revoked key and each role; the expected status each time (the README's roles table).",
        "- **Model faults**: in process (`ModelBundleTests`, `ModelRoutesTests`) and against the real server",
        "  (`reliability/model_faults.py`): a truncated bundle (with its old checksum, and with a recomputed one), a",
        "  tampered one, one with format_version 999 (checksum recomputed) and one without its checksum file. As ACTIVE at",
        "  start, the server starts, `/readyz` is 503, `/healthz` says `not_loaded`, scoring is 503. Reloaded (by name and",
        "  through ACTIVE) while a good model serves: 422 `bundle_refused`, and `POST /v1/score` keeps answering with the",
        "  old version.",
        "- **Crash safety** (`reliability/crash_safety.py`): ingest from 4 clients at once and claims from 4 stations while the",
        "  server is killed with SIGKILL at random moments and restarted; unacknowledged batches are sent again (ingest is",
        "  idempotent on `return_id`). Then every acknowledged return is read back with the same assessment and a queue",
        "  state; every acknowledged claim, release and inspection is in the item's history; and no item was leased twice",
        "  with overlapping leases, checked from the acknowledged claims (`expires_at` minus the lease length) and from the",
        "  server's history of every item (which also holds the claims whose reply the kill cut off). The insights' running",
        "  totals count exactly the returns and inspections stored (leakage and cycle times against the summary), and so"
        " does the model monitor's profile.",
        "- **API fuzzing** (`reliability/api_fuzz.py`): schemathesis against `openapi.yaml` on a running server with the admin",
        "  key, every operation, all phases (examples, coverage, fuzzing, stateful), positive and negative data.",
        "- **Overload** (`reliability/overload.py`): a server started with `--max-concurrent-requests 4` gets 48 clients",
        "  sending scoring batches and queue reads as fast as they can, in two bursts; every answer must be a 200 or a",
        "  503 with `Retry-After`; afterwards `/healthz` and a scoring request succeed at the first try; VmRSS is sampled",
        "  every 20 ms.",
        "",
        "## SQLite durability settings",
        "",
        "One `DatabasePool` per process (`Sources/RecoupStore/ReturnsDatabase+Persistence.swift`):",
        "",
        "- `journal_mode = WAL`: readers never block the writer; a commit is an append to the write-ahead log.",
        "- `synchronous = FULL`: the WAL is fsynced at every commit, so a transaction that committed survives a process",
        "  kill and also a power loss or kernel crash. (`NORMAL` would survive a process kill too, but may lose the last",
        "  commits on power loss; the service acknowledges a return only after its commit, so a lost commit would be a",
        "  lost acknowledged item.)",
        "- `busy_timeout = 5 s`: the CLI (`recoup keys`, `export-labels`) and the server share the file.",
        "- One transaction per request: a batch of returns is stored, assessed and enqueued in one transaction, and the",
        "  reply is written after the commit; a claim is one `UPDATE … RETURNING` in a write transaction.",
        "- On restart SQLite recovers from the WAL by itself; nothing in the service replays anything.",
        "",
        "## PostgreSQL durability settings",
        "",
        "The checks' clusters (`scripts/postgres-cluster.sh`) run as production should: `fsync = on` and",
        "`synchronous_commit = on`, so a commit is on disk before the service answers; each request is one transaction",
        "(`BEGIN` … `COMMIT`) and its reply is written after the commit. A transaction whose connection is lost is not",
        "rolled back by the service (the server does it) and answers 503 `unavailable`; a call that has waited 3 s for a",
        "connection of the pool answers the same once a probe finds the server out of reach. After an outage the pool",
        "reconnects by itself, with postgres-nio's backoff (100 ms",
        "growing by a quarter per failed attempt, at most 60 s), so a replica is ready again within about a quarter of",
        "the outage's length.",
        "",
        f"Crash run: seed {crash.get('seed')}, {crash.get('kills')} kills; {fmt(crash.get('returns_acknowledged'))} returns,"
        f" {fmt(crash.get('claims_acknowledged'))} claims, {fmt(crash.get('releases_acknowledged'))} releases and"
        f" {fmt(crash.get('inspections_acknowledged'))} inspections acknowledged; requests cut off by the kills:"
        f" {counts(crash.get('requests_cut_by_kills'))}; {fmt(crash.get('leases_in_history'))} leases in the items' histories;"
        f" overlapping leases: {crash.get('overlapping_leases_client')} (client view), {crash.get('overlapping_leases_history')} (server history).",
        "",
        "## API fuzzing",
        "",
        f"schemathesis {fuzz.get('schemathesis')}, seed {fuzz.get('seed')}, at most {fuzz.get('max_examples')} examples per"
        f" operation and phase: {fuzz.get('test_cases', {}).get('generated', 0):,} cases over"
        f" {(fuzz.get('operations') or {}).get('tested', 0)} operations. Checks: {fuzz.get('checks', 'all')}, excluded:"
        f" {', '.join(fuzz.get('excluded_checks') or []) or 'none'}.",
        "",
        "- The checks (`--checks all` in schemathesis 4.32): `not_a_server_error`, `status_code_conformance`,",
        "  `content_type_conformance`, `response_headers_conformance`, `response_schema_conformance`,",
        "  `negative_data_rejection`, `positive_data_acceptance`, `missing_required_header`, `unsupported_method`,",
        "  `allow_header_conformance`, `use_after_free`, `ensure_resource_availability`, `ignored_auth`,",
        "  `object_level_authorization`.",
        "- `positive_data_acceptance` holds because `openapi.yaml` states every rule a JSON schema can (ranges, exclusive",
        "  where the contract says `> 0`, 64-bit integer bounds, patterns for numbers written as strings and for dates that",
        "  exist, non-blank strings, `maxItems` for batches, the name rule of a model version) and lists the three it cannot",
        "  in the ReturnRecord description (`return_requested_date` not before `order_date`; the value of a number written",
        "  with an exponent; the JSON text of a numeric `return_id`); `reliability/schemathesis_hooks.py` tells the",
        "  generator those three, for positive data only.",
        "- `reliability/schemathesis.toml` adds 413 to the statuses that reject negative data: a batch beyond `maxItems`",
        "  is refused with 413 Content Too Large, as documented.",
        "- `reliability/schemathesis_hooks.py` also works around a CPython 3.11 bug (`SystemError: AST constructor recursion",
        "  depth mismatch` from `ast.parse` deep in a recursion) that crashed the fuzzer itself, not the server.",
        "",
        "### Server bugs it found, fixed, each with a regression test (`Tests/RecoupServerTests/APIFuzzRegressionTests.swift`)",
        "",
        "1. **One request killed the server.** A valid record with `weight_kg_declared` 5e-324 makes the measured weight",
        "   infinitely heavier than declared; writing that ratio as a whole percentage (the anomaly reason,",
        "   `AnomalyPolicy`, and the explanation sentence, `FeatureColumn+Reason`) trapped in `Int(_:)` and the process",
        "   died, for every client. Now `wholePercent` says \"over 1000000000%\". Test `extremeValues`: each extreme",
        "   but valid value alone and all together (5e-324, 1.8e308, Int64 limits, years 0000 and 9999, a 14 kB",
        "   comment) through `/v1/score?explain=true` and `/v1/returns`.",
        "2. **A method a path does not take** (`TRACE /v1/lanes`, `DELETE /v1/returns/{id}`) got an empty 404; now a JSON",
        "   405 with `Allow`, and an unknown path a JSON 404 (`UnmatchedRouteMiddleware`). Test `methodNotAllowed`.",
        "3. **`?explain=` took anything**: any value but `false`/`0` meant true. Now `true` or `false`, else a 400 naming",
        "   `explain`. Test `explainParameter`.",
        "4. **Schema-valid requests refused** (found once `positive_data_acceptance` ran): a JSON `\"\"` for an optional",
        "   number was an error while the empty CSV field is missing (now missing in both); a station or warehouse id of a",
        "   no-break space was blank (blank is now the contract's ASCII white space everywhere); `return_id` length was",
        "   counted in characters, not code points as JSON Schema counts; a reload naming no bundle folder was a 422 (now",
        "   404; a malformed name 400). Tests `schemaValidAccepted`, `reloadVersionNames`.",
        "",
        "### Spec mismatches it found, fixed in `openapi.yaml`",
        "",
        "- `has_serial` and `weight_kg_declared` were required; the contract and the server have them optional.",
        "- `null` for `lease_seconds` (claims) and `version` (reload) means absent, as everywhere else; the spec refused it.",
        "- An optional record field may be `\"\"` (missing, like an empty CSV field); a JSON number or boolean in a text",
        "  field is taken as its text, as in CSV; the spec now says both.",
        "- Batches: each element is checked on its own and reported `invalid` inside a 200, so the batch schema no",
        "  longer claims that a bad element fails the request; the bare array form the server takes is documented.",
        "- `GET /openapi.yaml` is a YAML object, not a string; `/readyz`'s 503 may be the overload error.",
        "- Tightened where a schema can say it: date and number-as-string patterns, the boolean spellings, non-blank",
        "  category strings. Added operationIds, links (claim to extend, release and inspection; ingest and anomalies",
        "  to the return) and examples, so the stateful phase reaches claims, leases and inspections.",
        "",
        "## Overload",
        "",
        f"Limit {over.get('limit')} requests in flight, {over.get('clients')} clients, 2 bursts of {over.get('seconds_per_burst')} s:"
        f" statuses {counts(over.get('statuses'))}; VmRSS at rest {over.get('rss_rest_mib')} MiB, peak {over.get('rss_peak_burst1_mib')} MiB"
        f" (burst 1) and {over.get('rss_peak_burst2_mib')} MiB (burst 2), {over.get('rss_after_mib')} MiB after;"
        f" first requests after the bursts: {counts(over.get('recovery'))}.",
        "",
        "## Model faults against the server",
        "",
        "| case | outcome | reason given |",
        "|---|---|---|",
        *[f"| {k} | {v.get('outcome', '')} | {v.get('reason', '').replace('|', '/')} |" for k, v in faults.get("outcomes", {}).items()],
        "",
        "## Problems found in this run",
        "",
        *(problems or ["None."]),
        "",
        "## Rerun",
        "",
        "```sh",
        "make reliability                                          # everything; rewrites this file",
        "python3 reliability/run.py --only crash_safety api_fuzz   # some checks (needs the release build); no rewrite",
        "python3 reliability/crash_safety.py --kills 20 --seed 1   # one check with other settings",
        "```",
        "",
    ]
    (ROOT / "RELIABILITY.md").write_text("\n".join(lines))


if __name__ == "__main__":
    main()
