#!/usr/bin/env python3
"""The Swift parts of the reliability checks, at full size (RECOUP_RELIABILITY=1).

Runs the already built test products (`swift build --build-tests` first; `make reliability` does it) filtered to the
reliability suites, reads the per-test outcome from the xUnit file and the number of cases each fuzz or invariant test
ran from its `RELIABILITY <key> cases=N [lost=N]` line, and writes one result per row of the table.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
import xml.etree.ElementTree as ET

from common import OUT, ROOT, PostgresCluster, log, temp_folder, write_result

SUITES = ["QueueInvariantTests", "ParserFuzzTests", "FusedPathFuzzTests", "AuthMatrixTests", "ModelBundleTests", "ModelRoutesTests"]
# Table rows: result name, label, suite, test (None: every test of the suite), key of the cases line (None: count tests).
ROWS = [
    ("swift_queue", "Queue invariants (64 claimers, SQLite file and PostgreSQL)", "QueueInvariantTests", None, "queue-invariants"),
    ("swift_parser_csv", "Parser fuzzing: CSV reader", "ParserFuzzTests", "csv()", "parser-fuzz-csv"),
    ("swift_parser_json", "Parser fuzzing: JSON reader", "ParserFuzzTests", "json()", "parser-fuzz-json"),
    ("swift_fused", "Parser fuzzing: fused CSV feature path", "FusedPathFuzzTests", None, "fused-path-fuzz"),
    ("swift_auth", "Auth matrix (routes x credentials)", "AuthMatrixTests", None, "auth-matrix"),
    ("swift_bundle", "Model bundle faults (unit)", "ModelBundleTests", None, None),
    ("swift_reload", "Model reload routes (in process)", "ModelRoutesTests", None, None),
]
LINE = re.compile(r"RELIABILITY (\S+) cases=(\d+)(?: lost=(\d+))?")


def main() -> None:
    started = time.monotonic()
    OUT.mkdir(parents=True, exist_ok=True)
    xunit = OUT / "swift-xunit.xml"
    for old in OUT.glob("swift-xunit*.xml"):
        old.unlink()
    # The store suites run against both stores, as in `make test`: a throwaway PostgreSQL cluster for this run.
    cluster = PostgresCluster(temp_folder("swift-checks") / "pg")
    env = dict(os.environ, RECOUP_RELIABILITY="1", OPENBLAS_NUM_THREADS="1", RECOUP_TEST_POSTGRES=cluster.start(), RECOUP_REQUIRE_POSTGRES="1")
    command = ["swift", "test", "--skip-build", "--disable-xctest", "--filter", "|".join(SUITES), "--xunit-output", str(xunit)]
    log("swift", " ".join(command))
    try:
        proc = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    finally:
        cluster.stop()
    output = proc.stdout + proc.stderr
    (OUT / "swift-output.txt").write_text(output)
    elapsed = time.monotonic() - started
    counts: dict[str, tuple[int, int | None]] = {}
    for m in LINE.finditer(output):  # a suite run against both stores prints its line once per store: summed
        cases, lost = counts.get(m.group(1), (0, None))
        more = int(m.group(3)) if m.group(3) else None
        counts[m.group(1)] = (cases + int(m.group(2)), None if lost is None and more is None else (lost or 0) + (more or 0))
    # swift-testing writes its own xUnit file next to the one asked for.
    files = sorted(OUT.glob("swift-xunit*.xml"))
    cases = []
    for f in files:
        for tc in ET.parse(f).getroot().iter("testcase"):
            failed = sum(1 for child in tc if child.tag in ("failure", "error"))
            cases.append((tc.get("classname", ""), tc.get("name", ""), failed, float(tc.get("time") or 0)))
    if proc.returncode != 0:
        print(output[-6000:])
    for name, label, suite, test, key in ROWS:
        mine = [c for c in cases if c[0].split(".")[-1] == suite and (test is None or c[1] == test)]
        failures = sum(c[2] for c in mine)
        problems = [f"{c[0]}.{c[1]} failed" for c in mine if c[2]]
        if not mine:
            failures += 1
            problems.append(f"{suite} {test or ''} did not run (exit code {proc.returncode})")
        n, lost = counts.get(key, (None, None)) if key else (len(mine), None)
        if n is None:
            n = 0
            failures += 1
            problems.append(f"no 'RELIABILITY {key}' line in the output")
        if lost is None and suite == "QueueInvariantTests":
            lost = 0 if not failures else None
        write_result(name, label, cases=n, failures=failures, lost=lost, seconds=sum(c[3] for c in mine),
                     details={"tests": [f"{c[0]}.{c[1]}" for c in mine], "problems": problems})
    log("swift", f"exit code {proc.returncode}, {elapsed:.0f} s")


if __name__ == "__main__":
    main()
