#!/usr/bin/env python3
"""API fuzzing: schemathesis against openapi.yaml on a running server, every operation.

Creates `reliability/.venv` with the pinned schemathesis of `reliability/requirements.txt` when it is missing,
starts `recoup serve` on a fresh database with a few hundred returns in its queue, and runs schemathesis with the
admin key in the Authorization header over every operation, in all its phases (examples, coverage, fuzzing,
stateful), positive and negative data, and every check (`--checks all`, none excluded). `schemathesis.toml` adds 413
to the statuses that reject negative data (a batch beyond `maxItems`); `schemathesis_hooks.py` tells the generator
the record's rules that a schema cannot state, which `openapi.yaml` lists. Pass when schemathesis reports no
failure and no error, and the server is still healthy.

Usage: api_fuzz.py [--max-examples N] [--seed S]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from common import OUT, ROOT, Server, generate_records, log, recoup_binary, remove_folder, request, temp_folder, write_result

NAME = "api_fuzz"
VENV = ROOT / "reliability" / ".venv"
REQUIREMENTS = ROOT / "reliability" / "requirements.txt"
CONFIG = ROOT / "reliability" / "schemathesis.toml"


def ensure_venv() -> Path:
    """reliability/.venv with the pinned requirements (re-installed when requirements.txt changes)."""
    python = VENV / "bin" / "python"
    stamp = VENV / ".requirements"
    wanted = REQUIREMENTS.read_text()
    if not python.exists():
        log(NAME, f"creating {VENV}")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    if not stamp.exists() or stamp.read_text() != wanted:
        log(NAME, "installing " + ", ".join(line for line in wanted.splitlines() if line and not line.startswith("#")))
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", str(REQUIREMENTS)], check=True)
        stamp.write_text(wanted)
    return VENV / "bin" / "schemathesis"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-examples", type=int, default=150, help="per operation and phase")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    started = time.monotonic()
    schemathesis = ensure_venv()
    binary = recoup_binary()
    folder = temp_folder(NAME)
    server = Server(binary, folder / "recoup.sqlite", ROOT / "models")
    server.start()
    key = server.admin_key
    records = generate_records(binary, 300, 11, folder)
    r = request(server.port, "POST", "/v1/returns", {"returns": records}, key=key)
    assert r.status == 200, r.body
    report_dir = OUT / "schemathesis"
    report_dir.mkdir(parents=True, exist_ok=True)
    report = report_dir / "report.json"
    command = [
        str(schemathesis), "--config-file", str(CONFIG), "run", str(ROOT / "openapi.yaml"), "--url", f"http://127.0.0.1:{server.port}",
        "-H", f"Authorization: Bearer {key}",
        "--checks", "all",
        "--phases", "examples,coverage,fuzzing,stateful",
        "--max-examples", str(args.max_examples), "--seed", str(args.seed), "--workers", str(args.workers),
        "--request-timeout", "30", "--suppress-health-check", "too_slow,filter_too_much",
        "--report", "json,junit", "--report-json-path", str(report), "--report-junit-path", str(report_dir / "junit.xml"),
        "--output-truncate", "true",
    ]
    log(NAME, f"schemathesis against port {server.port}, max {args.max_examples} examples per operation, seed {args.seed}")
    env = dict(os.environ, SCHEMATHESIS_HOOKS=str(ROOT / "reliability" / "schemathesis_hooks.py"), NO_COLOR="1")
    with open(report_dir / "output.txt", "w") as out:
        proc = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    output = (report_dir / "output.txt").read_text()
    healthy = request(server.port, "GET", "/readyz").status == 200
    rss = server.rss_kib()
    server.stop()
    if not report.exists():
        print(output[-5000:])
        write_result(NAME, "API fuzzing (schemathesis)", cases=0, failures=1, lost=None, seconds=time.monotonic() - started,
                     details={"exit_code": proc.returncode, "problems": ["schemathesis wrote no report"]})
        return
    doc = json.loads(report.read_text())
    generated = doc["test_cases"]["generated"]
    failures = [f"{f['title']} ({f['count']}x): {', '.join(f['operations'])}" for f in doc["failures"]]
    errors = [f"error: {e['title']} ({e['count']}x)" for e in doc["errors"]]
    others: list[str] = []
    if not healthy:
        others.append("the server was not ready after the run")
    if doc["operations"] and doc["operations"]["tested"] != doc["operations"]["total"]:
        others.append(f"only {doc['operations']['tested']} of {doc['operations']['total']} operations were tested")
    if generated < 1000:
        others.append(f"only {generated} cases were generated (at least 1,000 wanted)")
    problems = failures + errors + others
    if problems:
        print(output[-12000:])
    for p in problems:
        log(NAME, f"problem: {p}")
    write_result(
        NAME, "API fuzzing (schemathesis, %d operations)" % (doc["operations"] or {}).get("tested", 0), cases=generated,
        failures=doc["test_cases"]["with_failures"] + len(errors) + len(others), lost=None, seconds=time.monotonic() - started,
        details={
            "schemathesis": doc["schemathesis_version"], "seed": args.seed, "max_examples": args.max_examples,
            "operations": doc["operations"], "phases": doc["phases"], "test_cases": doc["test_cases"],
            "checks": "all", "excluded_checks": [], "exit_code": proc.returncode, "server_rss_mib": round((rss or 0) / 1024, 1),
            "problems": problems,
        })
    remove_folder(folder, bool(problems), NAME)


if __name__ == "__main__":
    main()
