"""Markdown sections for the pipeline benchmarks (scoring, training, replay, HTTP load) from their JSON outputs in
benchmarks/out/. Called by benchmarks/run.sh."""

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def load(name):
    path = OUT / name
    return json.loads(path.read_text()) if path.exists() else None


def n(x, digits=0):
    return f"{x:,.{digits}f}"


def scoring():
    ours = load("scoring-recoup.json")
    refs = load("scoring-python.json") or []
    if not ours:
        return ""
    lines = ["## Scoring: parsed records to assessments (issue 5)", "",
             f"Bundle `{ours['model']}` (disposition: {ours['disposition']}, fraud: {ours['fraud']}, recovery: trees), "
             f"{ours['rows']:,} records of the shipped set, batches of {ours['batch']:,}, both cores. Recoup runs the whole "
             "pipeline: features from the parsed record, three heads, fraud calibration, 80% interval, anomaly flags, "
             "lane and priority. LightGBM and XGBoost only predict the same three heads (same number of trees and "
             "leaves per head, trained on the same bins) from ready matrices, on 2 threads.", "",
             "| pipeline | returns/s | target |", "|---|---:|---:|",
             f"| Recoup, without reasons | {n(ours['returns_per_s_without_reasons'])} | 150,000 |",
             f"| Recoup, with reasons (top 3 per head) | {n(ours['returns_per_s_with_reasons'])} | 50,000 |"]
    for r in refs:
        lines.append(f"| {r['library']}, three heads predict only | {n(r['three_heads_rows_per_s'])} | |")
        lines.append(f"| {r['library']}, disposition head alone | {n(r['per_head_rows_per_s']['disposition'])} | |")
    lines += ["", "| one record, in process | p50 | p99 | target p99 |", "|---|---:|---:|---:|",
              f"| with reasons | {n(ours['single_p50_us'], 1)} µs | {n(ours['single_p99_us'], 1)} µs | 100 µs |",
              f"| without reasons | {n(ours['single_no_reasons_p50_us'], 1)} µs | {n(ours['single_no_reasons_p99_us'], 1)} µs | |"]
    if refs:
        t = refs[0]["trees"]
        lines += ["", "Trees per head: " + ", ".join(f"{h} {v['rounds']} rounds x {v['leaves']} leaves" for h, v in t.items()) + "."]
    return "\n".join(lines) + "\n"


def training():
    t = load("training.json")
    if not t:
        return ""
    s = t["summary"]
    lines = ["## Training: `recoup train` on the shipped 200k set (issue 6)", "",
             f"`recoup train --data training-data/returns-200k.csv.gz` (all candidates of all heads: logistic regression, "
             f"boosted trees and blends for disposition and fraud, two tree objectives for recovery), release build, 2 cores.", "",
             "| measure | value | target |", "|---|---:|---:|",
             f"| wall time | {n(t['seconds'], 1)} s | < 120 s |",
             f"| peak memory | {n(t['peak_rss_mib'])} MiB | |"]
    for stage, seconds in sorted(s["timings"].items(), key=lambda kv: -kv[1]):
        lines.append(f"| stage `{stage}` | {n(seconds, 1)} s | |")
    lines += ["", "| head | learner kept | validation metrics |", "|---|---|---|"]
    for head, h in s["heads"].items():
        metrics = ", ".join(f"{k} {v:.4f}" for k, v in sorted(h["metrics"].items()))
        lines.append(f"| {head} | {h['learner']} | {metrics} |")
    return "\n".join(lines) + "\n"


RULES_OF_THUMB = ("fifo", "highest_value", "season_end", "rules")


def replay_table(results):
    lines = ["| policy | money | share of oracle gain | recovered value | fraud caught before refund | refunds saved | "
             "past service level | mean wait (days) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for x in results:
        name = f"**{x['policy']}**" if x["policy"] == "recoup" else x["policy"]
        lines.append(f"| {name} | {n(x['money'])} | {100 * x['share_of_oracle_gain']:.1f}% | {n(x['recovered_value'])} | "
                     f"{x['fraud_caught_before_refund']:,} of {x['fraud_total']:,} | {n(x['fraud_refund_saved'])} | "
                     f"{x['past_service_level']:,} | {x['mean_wait_days']:.2f} |")
    return lines


def replay_sentence(capacity, results):
    by = {x["policy"]: x for x in results}
    ours, oracle, hv = by["recoup"], by["oracle"], by["highest_value"]
    best = max((by[p] for p in RULES_OF_THUMB), key=lambda x: x["money"])
    load = "a light backlog" if ours["mean_wait_days"] < 3 else "a heavy, growing backlog"
    beats = ours["money"] > best["money"]
    fewer_late = ours["past_service_level"] <= hv["past_service_level"]
    return (f"At {capacity} inspections per warehouse per day ({load}: Recoup's mean wait {ours['mean_wait_days']:.1f} days), "
            f"Recoup {'beats' if beats else 'does NOT beat'} the best rule of thumb ({best['policy']}) by "
            f"{n(ours['money'] - best['money'])} ({100 * (ours['money'] / best['money'] - 1):+.2f}%), captures "
            f"{100 * ours['share_of_oracle_gain']:.1f}% of the oracle's gain over FIFO "
            f"({'at least' if ours['share_of_oracle_gain'] >= 0.9 else 'BELOW'} the 90% target), catches "
            f"{ours['fraud_caught_before_refund']:,} of {ours['fraud_total']:,} frauds before the refund "
            f"(highest_value {hv['fraud_caught_before_refund']:,}) and leaves {ours['past_service_level']:,} items past their "
            f"service level against highest_value's {hv['past_service_level']:,}"
            f"{'' if fewer_late else ' (MORE than highest_value)'}. The oracle is {n(oracle['money'] - ours['money'])} "
            f"({100 * (oracle['money'] / ours['money'] - 1):.2f}%) above Recoup.")


def replay():
    r = load("replay.json")
    if not r:
        return ""
    lines = ["## Replay: queue policies in money (issue 16)", "",
             f"`recoup replay` on {r['rows']:,} labelled returns that the shipped bundle never saw (`recoup generate "
             f"--seed {r['seed']}`), arriving day by day over two years at five warehouses, with the work per warehouse per "
             "day counted in inspection minutes. Money is value recovered plus refunds saved on fraud inspected before "
             "its refund (3 days after arrival); `share of oracle gain` is (money − FIFO's) / (oracle's − FIFO's). The "
             "rules of thumb: `fifo`; `highest_value`, unit price × quantity first; `season_end`, fewest days of season "
             "left first; `rules`, a hard signal (serial mismatch, weight deviation, customer return rate at the "
             "bundle's fitted thresholds) first, then FIFO. `recoup` is the live queue's rank key from the predictions; "
             "`oracle` the same greedy rule on true money per minute with perfect knowledge of value, decay and fraud. "
             "The decay model is in `recoup replay --help`.", ""]
    for capacity, results in r["runs"].items():
        lines += [f"Capacity {capacity} inspections per warehouse per day:", ""] + replay_table(results)
        lines += ["", replay_sentence(capacity, results), ""]
    gaps = []
    for capacity, results in r["runs"].items():
        oracle = next(x for x in results if x["policy"] == "oracle")
        bound = oracle["value_if_instant"] + oracle["fraud_refund_total"]
        gaps.append(f"{100 * (1 - oracle['money'] / bound):.2f}% below it at capacity {capacity}")
    lines += ["How far the oracle is from the best schedule: it is Smith's rule on true costs, optimal for a fixed set of "
              "items whose costs grow linearly with waiting, and a heuristic here (value decays geometrically, a refund is "
              "a deadline, items keep arriving). The bound it is checked against is every item inspected on arrival (all "
              "its value and every fraud's refund): the oracle is " + ", ".join(gaps) + ". Under a light backlog that "
              "makes it close to optimal; under a heavy one the bound is loose (no schedule inspects everything on "
              "arrival), so there the oracle is a strong reference, not a proven optimum.", ""]
    sens = r.get("sensitivity")
    if sens:
        cap = r["sensitivity_capacity"]
        policies = [x["policy"] for x in r["runs"][str(cap)]]
        lines += [f"How the ranking of policies moves with the world (capacity {cap}; the options of `recoup replay` change "
                  "the replayed world only, Recoup keeps the shipped lane policy's decay and refund constants): money "
                  "per policy, in thousands.", "",
                  "| world | " + " | ".join(policies) + " | order |", "|---|" + "---:|" * len(policies) + "---|"]
        for label, results in [("defaults", r["runs"][str(cap)])] + list(sens.items()):
            money = {x["policy"]: x["money"] for x in results}
            order = " > ".join(sorted(money, key=money.get, reverse=True))
            lines.append(f"| `{label}` | " + " | ".join(n(money[p] / 1000) for p in policies) + f" | {order} |")
        lines.append("")
    return "\n".join(lines)


def flags():
    r = load("replay.json")
    if not r or "flags" not in r:
        return ""
    bundle = json.loads((Path(__file__).resolve().parent.parent / "models/default-200k/bundle.json").read_text())
    fitted = bundle.get("flagging")
    if not fitted:
        return ""
    rate = fitted["review_rate"]

    def row(label, q, model_precision):
        off = 100 * (q["flag_rate"] / rate - 1)
        within = "within" if abs(off) <= 20 else "OUTSIDE"
        return (f"| {label} | {q['returns']:,} | {100 * q['flag_rate']:.2f}% ({off:+.0f}%, {within} ±20%) | "
                f"{100 * q['precision']:.1f}% | {model_precision} | {100 * q['recall']:.1f}% |")

    f = r["flags"]
    everything, since = f["all"][0]["flags"], f["since"][0]["flags"]
    lines = ["## Flags sized to the review team (issue 16)", "",
             f"The shipped bundle's flags were fitted by `recoup train --review-rate {rate}` on its validation split "
             f"(orders from {f['validation_from']}): fraud risk at or above {fitted['policy']['fraud_risk_threshold']:.4f}, "
             "and each rule measured against the model at the same flag rate:", "",
             "| rule | threshold (fitted on honest training returns) | flag rate | precision | model's precision at that rate | default |",
             "|---|---:|---:|---:|---:|---|"]
    for rule in fitted["rules"]:
        threshold = f"{rule['threshold']:.4g}" if rule.get("threshold") is not None else "–"
        lines.append(f"| {rule['kind']} | {threshold} | {100 * rule['rate']:.2f}% | {100 * rule['precision']:.1f}% | "
                     f"{100 * rule['model_precision_at_same_rate']:.1f}% | {'on' if rule['enabled'] else 'off'} |")
    lines += ["", f"The share of returns flagged (all kinds) against the review rate of {100 * rate:.0f}%, and its precision next "
              "to the fraud head's precision–recall curve at the same share (`recoup evaluate`):", "",
              "| returns | count | flagged | precision | fraud head's precision at that share | recall |",
              "|---|---:|---:|---:|---:|---:|",
              row("validation split (fitted here)", fitted["validation"], "–"),
              row("held-out test split of the training data", fitted["test"], "–") if fitted.get("test") else "",
              row(f"seed {r['seed']}, orders from {f['validation_from']} (the period the flags were fitted on)",
                  since["quality"], f"{100 * since['model_precision_at_flag_rate']:.1f}%"),
              row(f"seed {r['seed']}, all two years", everything["quality"], f"{100 * everything['model_precision_at_flag_rate']:.1f}%"),
              "", "A flag threshold is a quantile of the risk in the period it was fitted on: the generator's fraud ring grows "
              "(1.5× more swap fraud in the second year), so over two years the same threshold flags fewer returns than in "
              "the recent period it was fitted on, and the risk team's load follows the fraud rate.", ""]
    return "\n".join(x for x in lines if x is not None)


def insights():
    import re
    report = load("insights.json")
    if not report:
        return ""
    runs = []
    for run in (1, 2, 3):
        text = (OUT / f"insights-{run}.time").read_text()
        wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (.+)", text).group(1).split(":")
        seconds = sum(float(p) * 60 ** i for i, p in enumerate(reversed(wall)))
        rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1)) / 1024
        runs.append((seconds, rss))
    best = min(runs)
    planted = (OUT / "insights-planted.txt").read_text()
    parts = planted.split("size_fit excess at")
    defective = re.findall(r"SKU-[A-Z]+-\d+", parts[0])
    size_fit = re.findall(r"SKU-[A-Z]+-\d+", parts[1])
    channel = re.search(r"channel (\S+)", planted).group(1)
    found = {(f["value"], f["reason"]) for f in report["root_causes"]}
    hits = sum((s, "defective") in found for s in defective) + sum((s, "size_fit") in found for s in size_fit)
    hits += (channel, "damaged_in_transit") in found
    lines = ["## Insights: root causes, repeat returners, leakage and cycle times (issue 18)", "",
             f"`recoup insights --data FILE --json` on {n(report['returns'])} generated returns with planted problems "
             f"(`recoup generate --rows 1000000 --seed 7 --plant-problems`), every dimension, release build, best of 3 runs.", "",
             "| measure | value | target |", "|---|---:|---:|",
             f"| wall time (read the CSV, every test, leakage, cycle times) | {n(best[0], 2)} s (runs: {', '.join(n(r[0], 2) for r in runs)}) | < 10 s |",
             f"| peak memory | {n(best[1])} MiB | |",
             f"| tests (group × reason) | {n(report['tests'])} | |",
             f"| findings at q ≤ {report['q']} | {n(len(report['root_causes']))} | |",
             f"| planted problems found | {hits} of {len(defective) + len(size_fit) + 1} | all |",
             f"| repeat returners at q ≤ {report['q']} | {n(len(report['repeat_returners']))} | |"]
    store = load("insights-store.json")
    if store:
        lines += ["", f"The routes over a SQLite store of {n(store['rows'])} returns arriving over a year (filled by "
                  f"`recoup-bench insights-store` through the store's ingest, claims and inspections in {n(store['fill_seconds'])} s; "
                  f"{n(store['inspected'])} inspected), `benchmarks/bench_insights.py`: `recoup serve`, the client on loopback, "
                  f"each request 3 times. The routes read the store's running totals (per dimension, group, reason and day; "
                  f"cycle-time histograms; customer counts), which ingest and inspections keep current. Keeping them cost "
                  f"durable ingest about a sixth of its throughput when they came (4,900 to 4,175 returns/s side by side "
                  f"with the commit before them, `git log -p benchmarks/RESULTS.md`).", "",
                  "| route | fastest | slowest | target |", "|---|---:|---:|---|"]
        for path, t in store["routes"].items():
            verdict = "met" if t["max"] < 1 else "**not met**"
            lines.append(f"| `GET {path}` | {n(t['min'], 2)} s | {n(t['max'], 2)} s | < 1 s: {verdict} |")
    return "\n".join(lines) + "\n"


def monitoring():
    r = load("monitoring.json")
    rounds = r["rounds"]
    lines = [
        "## Ingest with model monitoring on and off (issue 15)",
        "",
        "`benchmarks/bench_monitoring.py`: the same release binary started twice on fresh SQLite files (`synchronous = FULL`), "
        "`recoup serve` and `recoup serve --no-monitoring`, the shipped bundle (with its reference profile), measured in turn "
        f"({len(rounds)} rounds, alternating which goes first; wrk, 2 threads, 8 connections, batches of 100 new returns, 8 s per run). "
        "With monitoring on, ingest also adds each stored return to its model's profile of the day and stores its unrounded "
        "predictions, in the same transaction.",
        "",
        "| round | on: returns stored/s | off: returns stored/s | on / off | on: server CPU per request | off: server CPU per request |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for i, x in enumerate(rounds, 1):
        lines.append(
            f"| {i} | {n(x['on']['stored_per_s'])} | {n(x['off']['stored_per_s'])} | {x['ratio']:.3f} | "
            f"{n(x['on']['server_cpu_us_per_request'] / 1000, 1)} ms | {n(x['off']['server_cpu_us_per_request'] / 1000, 1)} ms |"
        )
    met = "met" if r["ratio_median"] >= 0.95 else "**not met**"
    lines += [
        f"| median | {n(r['on_stored_per_s'])} | {n(r['off_stored_per_s'])} | {r['ratio_median']:.3f} | | |",
        "",
        f"Target: ingest with monitoring within 5% of ingest without (median of the per-round ratios ≥ 0.95): {met}. "
        f"The monitor then counted {n(r['profile_rows_counted'])} returns in the serving model's profile.",
        "",
    ]
    return "\n".join(lines)


def pages():
    r = load("pages.json")
    if not r:
        return ""
    lines = [
        "## Web pages with 100,000 queued returns (issue 14)",
        "",
        f"`benchmarks/bench_pages.py`: the release binary on a fresh SQLite file holding {n(r['queued'])} queued returns "
        f"({r['warehouses']} warehouses; ingested over the API in batches of 1,000 in {n(r['ingest_s'])} s), one session signed "
        f"in through the sign-in form, each page requested {r['repeats']} times in turn on one keep-alive connection after two "
        f"warm-ups. Time is the client's wall time per request on loopback (an upper bound of the server's time); server CPU "
        f"per request from /proc. The station's board is for the busiest warehouse ({r['busiest']}).",
        "",
        "| page or route | median | p95 | server CPU per request | bytes |",
        "|---|---:|---:|---:|---:|",
    ]
    for p in r["pages"]:
        lines.append(f"| {p['name']} (`{p['path']}`) | {p['median_ms']:.1f} ms | {p['p95_ms']:.1f} ms | "
                     f"{p['server_cpu_ms']:.1f} ms | {n(p['bytes'])} |")
    met = "met" if r["met"] else "**not met**"
    lines += ["", f"Target: the lane board under {r['target_ms']:.0f} ms of server time with 100,000 queued items "
              f"(p95 {r['board_p95_ms']:.1f} ms): {met}."]
    before = r.get("before")
    if before:
        after = {p["name"]: p for p in r["pages"]}
        lines += ["", f"Before and after, same returns, same run: `GET /v1/lanes` (the use case behind the board) at "
                  f"{before['commit']} (the lane counts read the queue's rows) and now (a covering index, "
                  f"`queueEntry_laneStats`, a seek per state and warehouse).", "",
                  "| route | before: median | before: p95 | after: median | after: p95 |", "|---|---:|---:|---:|---:|"]
        for p in before["pages"]:
            a = after.get(p["name"])
            if a:
                lines.append(f"| {p['name']} | {p['median_ms']:.1f} ms | {p['p95_ms']:.1f} ms | {a['median_ms']:.1f} ms | "
                             f"{a['p95_ms']:.1f} ms |")
    lines += ["", "The overview is `GET /v1/summary` and 30 days of leakage: the summary reads running totals (reasons from "
              "the insights rollup, the latest predicted dispositions from a count each assessment moves) instead of "
              "scanning every stored return (386 ms at 100,000 returns before, measured on its own at 16:40).", ""]
    return "\n".join(lines)


def server():
    s = load("server.json")
    if not s:
        return ""
    single, batch, ingest, claims = s["score_single"], s["score_batch_1000"], s["ingest_batch_100"], s["claims"]
    single_plain, batch_plain = s.get("score_single_no_reasons"), s.get("score_batch_1000_no_reasons")
    ceiling = s.get("framework_ceiling")

    def cpu(r):
        return f"{r['server_cpu_us_per_request']:,.0f} µs" if "server_cpu_us_per_request" in r else ""

    def row(label, r, returns, target, digits=0):
        return (f"| {label} | {r['connections']} | {n(r['requests_per_s'], digits)} | {returns} | {r['p50_ms']:.2f} ms | "
                f"{r['p99_ms']:.2f} ms | {r['non_2xx']} | {cpu(r)} | {target} |")

    lines = ["## HTTP service under load (issue 7)", "",
             "`recoup serve` (release, shipped bundle, fresh SQLite file in WAL with `synchronous = FULL`) and wrk 4.1 "
             "(2 threads) on the same 2 cores, loopback, 12 s per run, admin key. *server CPU / request* is the "
             "server's user + system time over the run divided by the requests answered.", "",
             "| load | connections | requests/s | returns/s | p50 | p99 | non-2xx | server CPU / request | target |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---|",
             row("`POST /v1/score`, one record", single, n(single["requests_per_s"]), "20,000/s, p99 < 10 ms")]
    if single_plain:
        lines.append(row("`POST /v1/score?explain=false`, one record", single_plain, n(single_plain["requests_per_s"]), ""))
    lines.append(row("`POST /v1/score`, 1,000 records", batch, n(batch["returns_per_s"]), "200,000 returns/s", 1))
    if batch_plain:
        lines.append(row("`POST /v1/score?explain=false`, 1,000 records", batch_plain, n(batch_plain["returns_per_s"]), "", 1))
    lines += [row("`POST /v1/returns`, 100 new records (durable)", ingest, f"{n(ingest['stored_per_s'])} stored", "5,000 returns/s", 1),
              row("`POST /v1/lanes/{lane}/claims`, 1 item (durable)", claims, f"{n(claims['items_leased'])} leased", "")]
    if ceiling:
        lines.append(row("framework ceiling: `recoup-bench http-baseline`, one-record body", ceiling, "", ""))
    lines.append("")
    scoring_run = load("scoring-recoup.json")
    if ceiling and "server_cpu_us_per_request" in single and scoring_run:
        frame, whole = ceiling["server_cpu_us_per_request"], single["server_cpu_us_per_request"]
        score_us = scoring_run["single_p50_us"]
        budget = (2 - single.get("wrk_cores", 0.3)) / 20_000 * 1e6
        lines.append(
            f"The single-record and batch scoring targets over HTTP are not met. The last row is Hummingbird alone under the "
            f"same load (it reads the body and answers a fixed body of the same size): framework, NIO and loopback cost "
            f"{frame:.0f} µs of server CPU per request before any work. A scored request costs {whole:.0f} µs: the "
            f"{whole - frame:.0f} µs more are the API key check, parsing and validating the record, scoring it with reasons "
            f"({score_us:.0f} µs of it in process, p50 above) and writing the answer. 20,000 requests/s on the cores wrk "
            f"leaves would allow about {budget:.0f} µs per request for all of it. For batches the scorer itself is the "
            f"bound: in process, on both cores and before any HTTP, it does {n(scoring_run['returns_per_s_with_reasons'])} "
            f"returns/s with reasons and {n(scoring_run['returns_per_s_without_reasons'])} without, against a target of "
            f"200,000 over HTTP.")
    lines.append("Durable writes (ingest, claims) wait for an fsync per transaction (`synchronous = FULL`): claims, one "
                 "item per transaction, are bound by the disk's fsync rate.")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print({"insights": insights, "scoring": scoring, "training": training, "replay": replay, "flags": flags, "server": server,
           "monitoring": monitoring, "pages": pages}[sys.argv[1]]())
