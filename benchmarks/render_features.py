"""Markdown section of the features benchmark from the files benchmarks/bench_features.sh leaves in benchmarks/out/."""

import argparse
import json
import os
import platform
import re


def load(path):
    with open(path) as fh:
        return json.load(fh)


def peak_rss_mb(path):
    with open(path) as fh:
        match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", fh.read())
    return int(match.group(1)) / 1024 if match else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="benchmarks/out")
    ap.add_argument("--run", default="")
    args = ap.parse_args()
    out = args.out
    r = load(os.path.join(out, "features-recoup.json"))
    r1 = load(os.path.join(out, "features-recoup-1core.json"))
    p = load(os.path.join(out, "features-pandas.json"))
    big = load(os.path.join(out, "features-recoup-big.json"))
    pbig = load(os.path.join(out, "features-pandas-big.json"))
    rss = peak_rss_mb(os.path.join(out, "features-recoup-big.time"))
    prss = peak_rss_mb(os.path.join(out, "features-pandas-big.time"))
    matrix_mb = big["rows"] * big["dense_columns"] * 4 / 2**20
    binned_mb = big["rows"] * big["tree_columns"] / 2**20
    file_mb = big["bytes"] / 2**20
    budget = 2 * matrix_mb + file_mb
    cpus = os.cpu_count()
    load_average = os.getloadavg()[0]
    print("## Features: CSV bytes to feature matrices (issue 3)\n")
    print(f"{platform.machine()}, {cpus} cores, pandas {p['pandas']}, numpy {p['numpy']}; best of the runs; "
          f"input `{os.path.basename(r['input'])}` ({r['rows']:,} rows, {r['bytes'] / 2**20:.1f} MiB). Recoup: parse + "
          f"validate every field + dense standardized Float32 ({r['dense_columns']} columns) + binned UInt8 "
          f"({r['tree_columns']} tree columns). pandas: read_csv + one-hot + standardize ({p['columns']} columns). "
          f"Load average at the end: {load_average:.1f}{'; both sides run under `' + args.run + '`' if args.run else ''}. "
          f"One-record extraction (record to both rows): p50 {r['single_record_p50_microseconds']:.1f} µs, "
          f"p99 {r['single_record_p99_microseconds']:.1f} µs.\n")
    print("| pipeline | from bytes in memory | rows/s | from the file | rows/s |")
    print("|---|---:|---:|---:|---:|")
    print(f"| Recoup, {r['threads']} cores | {r['seconds']:.3f} s | {r['rows_per_second']:,.0f} | "
          f"{r['file_seconds']:.3f} s | {r['file_rows_per_second']:,.0f} |")
    print(f"| Recoup, 1 core | {r1['seconds']:.3f} s | {r1['rows_per_second']:,.0f} | "
          f"{r1['file_seconds']:.3f} s | {r1['file_rows_per_second']:,.0f} |")
    print(f"| pandas | {p['bytes_seconds']:.3f} s | {p['bytes_rows_per_second']:,.0f} | "
          f"{p['seconds']:.3f} s | {p['rows_per_second']:,.0f} |")
    print(f"| **speedup, Recoup {r['threads']} cores / pandas** | | **{r['rows_per_second'] / p['bytes_rows_per_second']:.1f}x** | "
          f"| **{r['file_rows_per_second'] / p['rows_per_second']:.1f}x** |")
    print()
    print(f"{big['rows']:,} rows ({file_mb:.0f} MiB file), Recoup best of 3 runs in one process, pandas one run, each process under `/usr/bin/time -v` (peak RSS of the whole process):\n")
    print("| pipeline | seconds (bytes to matrices) | rows/s | peak RSS | budget: 2 x Float32 matrix + file |")
    print("|---|---:|---:|---:|---:|")
    print(f"| Recoup, {big['threads']} cores | {big['seconds']:.3f} s | {big['rows_per_second']:,.0f} | {rss:,.0f} MiB | "
          f"{budget:,.0f} MiB (matrix {matrix_mb:,.0f} MiB; binned {binned_mb:,.0f} MiB) |")
    print(f"| pandas | {pbig['bytes_seconds']:.3f} s | {pbig['bytes_rows_per_second']:,.0f} | {prss:,.0f} MiB | |")
    print()
    print("Targets: >= 1,000,000 rows/s on both cores, >= 5x pandas, peak memory for 1M rows under the budget. "
          "`bash benchmarks/bench_features.sh` reproduces this section.")


if __name__ == "__main__":
    main()
