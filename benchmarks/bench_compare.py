"""Before and after, side by side in one run: the same loads against the release binaries of two checkouts of Recoup
(an older commit's worktree and this one), interleaved round by round so that both see the same machine, next to
Hummingbird alone (`recoup-bench http-baseline`) as the framework's ceiling.

  python3 benchmarks/bench_compare.py --before /path/to/older/checkout [--after .] [--rounds 3]

Each checkout must have `.build/release/recoup` and `.build/release/recoup-bench` (`swift build -c release`).
Writes benchmarks/out/compare.json and prints a Markdown section (benchmarks/run.sh puts it into RESULTS.md when
BEFORE is set). Loads, per round and version: one-record `POST /v1/score` with reasons at 64 connections (and the
ceiling just before and after it), batches of 1,000 at 4 connections, and the in-process scorer (`recoup-bench
scoring`: batches of 1,000 with and without reasons, one-record latency); once per version: durable ingest, claims,
CSV to feature matrices and `recoup train` on the shipped 200k set.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "reliability"))
from bench_server import start_ceiling, wrk  # noqa: E402
from common import Server, generate_records, request, temp_folder  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
DURATION = "6s"


class Version:
    def __init__(self, name: str, root: Path, folder: Path):
        self.name, self.root = name, root
        self.recoup = root / ".build/release/recoup"
        self.bench = root / ".build/release/recoup-bench"
        for binary in (self.recoup, self.bench):
            if not binary.exists():
                sys.exit(f"{binary} is missing: run `swift build -c release` in {root}")
        self.server = Server(binary=self.recoup, db=folder / f"{name}.sqlite", models=ROOT / "models",
                             extra=["--max-concurrent-requests", "1024"])

    def start(self):
        self.server.start()
        self.key = self.server.admin_key or self.server.create_key("admin")
        self.url = f"http://127.0.0.1:{self.server.port}"


def in_process(version: Version, data: Path) -> dict:
    out = subprocess.run([str(version.bench), "scoring", "--model", str(ROOT / "models/default-200k"), "--data", str(data),
                          "--rows", "40000", "--singles", "10000"], capture_output=True, text=True, check=True,
                         env={"OPENBLAS_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"}).stdout
    return json.loads(out.strip().splitlines()[-1])


def features(version: Version, data: Path) -> dict:
    out = subprocess.run([str(version.bench), "features", "--fit", str(data), "--input", str(data), "--repeat", "3"],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def training(version: Version, folder: Path) -> float:
    start = time.monotonic()
    subprocess.run([str(version.recoup), "train", "--data", str(ROOT / "training-data/returns-200k.csv.gz"), "--out",
                    str(folder / f"models-{version.name}"), "--name", "bench", "--quiet"], check=True,
                   stdout=subprocess.DEVNULL, env={"OPENBLAS_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"})
    return time.monotonic() - start


def durable(version: Version, records: list, folder: Path) -> dict:
    ingest = folder / f"ingest-{version.name}.json"
    template = [dict(rec, return_id=f"__ID__-{i}") for i, rec in enumerate(records[:100])]
    ingest.write_text(json.dumps({"returns": template}))
    before = request(version.server.port, "GET", "/v1/summary", key=version.key).json()["returns"]
    start = time.monotonic()
    r = wrk(f"{version.url}/v1/returns", "ingest.lua", ingest, version.key, connections=8, pid=version.server.process.pid,
            duration=DURATION)
    stored = request(version.server.port, "GET", "/v1/summary", key=version.key).json()["returns"] - before
    one = folder / "one.json"
    claims = wrk(f"{version.url}/v1/lanes/standard/claims", "claims.lua", one, version.key, connections=32,
                 pid=version.server.process.pid, duration=DURATION)
    lanes = request(version.server.port, "GET", "/v1/lanes", key=version.key).json()["lanes"]
    return {"ingest_stored_per_s": stored / (time.monotonic() - start), "ingest": r, "claims": claims,
            "items_leased": sum(lane["leased"] for lane in lanes)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", required=True, type=Path)
    parser.add_argument("--after", default=ROOT, type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    folder = temp_folder("compare")
    versions = [Version("before", args.before.resolve(), folder), Version("after", args.after.resolve(), folder)]
    data = OUT / "returns-200k.csv"
    OUT.mkdir(parents=True, exist_ok=True)
    if not data.exists():
        subprocess.run(f"gzip -dc {ROOT / 'training-data/returns-200k.csv.gz'} > {data}", shell=True, check=True)
    records = generate_records(versions[1].recoup, 20_000, 77, folder)
    one = folder / "one.json"
    one.write_text(json.dumps(records[0]))
    batch = folder / "batch.json"
    batch.write_text(json.dumps({"returns": records[:1000]}))
    for v in versions:
        v.start()
    ceiling, port = start_ceiling(versions[1].bench)
    ceiling_url = f"http://127.0.0.1:{port}/v1/score"
    rounds = []
    try:
        for r in range(args.rounds):
            print(f"round {r + 1} of {args.rounds}", file=sys.stderr)
            entry = {v.name: {} for v in versions}
            frame = [wrk(ceiling_url, "post.lua", one, "none", 64, ceiling.pid, duration=DURATION)]
            for v in versions:
                entry[v.name]["single"] = wrk(f"{v.url}/v1/score", "post.lua", one, v.key, 64, v.server.process.pid,
                                              duration=DURATION)
            frame.append(wrk(ceiling_url, "post.lua", one, "none", 64, ceiling.pid, duration=DURATION))
            entry["ceiling"] = frame
            for v in versions:
                b = wrk(f"{v.url}/v1/score", "post.lua", batch, v.key, 4, v.server.process.pid, duration=DURATION)
                b["returns_per_s"] = b["requests_per_s"] * 1000
                entry[v.name]["batch"] = b
                entry[v.name]["in_process"] = in_process(v, data)
            rounds.append(entry)
        once = {}
        for v in versions:
            once[v.name] = durable(v, records, folder)
            once[v.name]["features"] = features(v, data)
            once[v.name]["training_seconds"] = training(v, folder)
    finally:
        for v in versions:
            v.server.stop()
        ceiling.terminate()
        ceiling.wait()
    result = {"rounds": rounds, "once": once, "before": str(args.before), "after": str(args.after),
              "before_commit": git_commit(args.before), "after_commit": git_commit(args.after)}
    (OUT / "compare.json").write_text(json.dumps(result, indent=2) + "\n")
    print(render(result))


def git_commit(root: Path) -> str:
    try:
        return subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def render(result: dict) -> str:
    rounds, once = result["rounds"], result["once"]

    def med(values):
        return statistics.median(values)

    def per(version, key, field):
        return [r[version][key][field] for r in rounds]

    ceiling_rps = [statistics.mean(x["requests_per_s"] for x in r["ceiling"]) for r in rounds]
    ceiling_cpu = [statistics.mean(x["server_cpu_us_per_request"] for x in r["ceiling"]) for r in rounds]
    lines = [
        "## Issue 12, before and after: the HTTP path and the scorer, side by side in one run", "",
        f"`benchmarks/bench_compare.py`: the release binaries of commit `{result['before_commit']}` (before) and "
        f"`{result['after_commit']}` (after), started together and measured in turn, {len(rounds)} rounds of 6 s per "
        "load; medians over the rounds, and each ratio computed within its round. wrk (2 threads) shares the 2 cores. "
        "The ceiling is `recoup-bench http-baseline` (Hummingbird alone, reading the body and answering a fixed body of "
        "a one-record answer's size), measured just before and just after the single-record runs of each round.", "",
        "| measure | before | after | target (after) |", "|---|---:|---:|---|",
    ]
    fmt = lambda x, d=0: f"{x:,.{d}f}"  # noqa: E731
    ratios = {v: [r[v]["single"]["requests_per_s"] / c for r, c in zip(rounds, ceiling_rps)] for v in ("before", "after")}
    batch_ratio = {v: [r[v]["batch"]["returns_per_s"] / r[v]["in_process"]["returns_per_s_with_reasons"] for r in rounds]
                   for v in ("before", "after")}
    explain_ratio = {v: [r[v]["in_process"]["returns_per_s_with_reasons"] / r[v]["in_process"]["returns_per_s_without_reasons"]
                         for r in rounds] for v in ("before", "after")}
    rows = [
        ("`POST /v1/score`, one record with reasons, 64 connections: requests/s",
         fmt(med(per("before", "single", "requests_per_s"))), fmt(med(per("after", "single", "requests_per_s"))), ""),
        ("… share of the framework's ceiling (same round)", f"{med(ratios['before']):.0%}", f"{med(ratios['after']):.0%}",
         "≥ 50%: " + ("met" if med(ratios["after"]) >= 0.5 else "not met")),
        ("… p99", f"{med(per('before', 'single', 'p99_ms')):.2f} ms", f"{med(per('after', 'single', 'p99_ms')):.2f} ms",
         "< 10 ms: " + ("met" if med(per("after", "single", "p99_ms")) < 10 else "not met")),
        ("… server CPU per request", f"{med(per('before', 'single', 'server_cpu_us_per_request')):.0f} µs",
         f"{med(per('after', 'single', 'server_cpu_us_per_request')):.0f} µs",
         "≤ 85 µs: " + ("met" if med(per("after", "single", "server_cpu_us_per_request")) <= 85 else "not met")),
        ("framework ceiling (Hummingbird alone): requests/s, server CPU per request",
         f"{fmt(med(ceiling_rps))}, {med(ceiling_cpu):.0f} µs", "(same)", ""),
        ("`POST /v1/score`, batches of 1,000 with reasons: returns/s", fmt(med(per("before", "batch", "returns_per_s"))),
         fmt(med(per("after", "batch", "returns_per_s"))), ""),
        ("… share of the in-process scorer with reasons (same round)", f"{med(batch_ratio['before']):.0%}",
         f"{med(batch_ratio['after']):.0%}", "≥ 85%: " + ("met" if med(batch_ratio["after"]) >= 0.85 else "not met")),
        ("in process, batches of 1,000, without reasons: returns/s",
         fmt(med([r["before"]["in_process"]["returns_per_s_without_reasons"] for r in rounds])),
         fmt(med([r["after"]["in_process"]["returns_per_s_without_reasons"] for r in rounds])), "not slower"),
        ("in process, with reasons: returns/s",
         fmt(med([r["before"]["in_process"]["returns_per_s_with_reasons"] for r in rounds])),
         fmt(med([r["after"]["in_process"]["returns_per_s_with_reasons"] for r in rounds])), ""),
        ("… with reasons as a share of without (same run)", f"{med(explain_ratio['before']):.0%}",
         f"{med(explain_ratio['after']):.0%}", "≥ 50%: " + ("met" if med(explain_ratio["after"]) >= 0.5 else "not met")),
        ("in process, one record with reasons: p50 / p99",
         f"{med([r['before']['in_process']['single_p50_us'] for r in rounds]):.1f} / "
         f"{med([r['before']['in_process']['single_p99_us'] for r in rounds]):.1f} µs",
         f"{med([r['after']['in_process']['single_p50_us'] for r in rounds]):.1f} / "
         f"{med([r['after']['in_process']['single_p99_us'] for r in rounds]):.1f} µs", ""),
        ("`POST /v1/returns`, batches of 100, durable: returns stored/s", fmt(once["before"]["ingest_stored_per_s"]),
         fmt(once["after"]["ingest_stored_per_s"]), "not slower"),
        ("`POST /v1/lanes/{lane}/claims`, 1 item, durable: claims/s", fmt(once["before"]["claims"]["requests_per_s"]),
         fmt(once["after"]["claims"]["requests_per_s"]), "not slower"),
        ("CSV bytes to feature matrices, 200k rows, 2 cores: rows/s", fmt(once["before"]["features"]["rows_per_second"]),
         fmt(once["after"]["features"]["rows_per_second"]), "not slower"),
        ("`recoup train` on the 200k set: seconds", f"{once['before']['training_seconds']:.1f}",
         f"{once['after']['training_seconds']:.1f}", "not slower"),
    ]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    lines.append("")
    lines.append("Per round (requests/s; ceiling is the mean of the runs before and after): " + "; ".join(
        f"round {i + 1}: ceiling {fmt(c)}, before {fmt(r['before']['single']['requests_per_s'])}, "
        f"after {fmt(r['after']['single']['requests_per_s'])}" for i, (r, c) in enumerate(zip(rounds, ceiling_rps))) + ".")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
