"""Reference side of the features benchmark: a pandas pipeline over the same CSV as `recoup-bench features`.

read_csv (C engine), then the usual preprocessing of the same columns: categorical fields trimmed, lower-cased and
one-hot encoded (pd.get_dummies, a column for missing), numeric fields mean-imputed with a missing indicator and
standardized, booleans to 0/1, all into one float32 matrix. It does less than Recoup's path (no contract validation,
no dates, ratios, hashing or tree bins), so the comparison flatters pandas.

Prints one JSON object: rows, columns, best seconds from the file and from the bytes already in memory.

    python benchmarks/features_pandas.py --input benchmarks/out/returns-200k.csv --repeat 5
"""

import argparse
import io
import json
import time

import numpy as np
import pandas as pd

CATEGORICAL = ["category", "brand_tier", "channel", "warehouse_id", "payment_method", "reason_code",
               "package_condition", "item_condition_grade"]
NUMERIC = ["unit_price", "quantity", "customer_tenure_days", "customer_orders_12m", "customer_returns_12m",
           "customer_return_value_12m", "weight_kg_declared", "weight_kg_measured", "sku_return_rate_90d",
           "sku_sell_through_30d", "days_in_season_remaining", "inventory_on_hand", "shipping_cost_back"]
BOOLEAN = ["is_gift", "promo_flag", "has_serial", "serial_matches", "accessories_complete"]
TRUE = {"true", "1", "yes"}


def pipeline(source):
    df = pd.read_csv(source, dtype={c: "string" for c in CATEGORICAL + BOOLEAN})
    num = df[NUMERIC].astype("float64")
    missing = num.isna()
    num = num.fillna(num.mean())
    std = num.std(ddof=0).replace(0, 1)
    num = (num - num.mean()) / std
    flags = np.column_stack([df[c].str.strip().str.lower().isin(TRUE).to_numpy(dtype=np.float32) for c in BOOLEAN])
    cats = pd.get_dummies(df[CATEGORICAL].apply(lambda s: s.str.strip().str.lower()), dummy_na=True, dtype=np.float32)
    x = np.hstack([num.to_numpy(np.float32), missing.to_numpy(np.float32), flags, cats.to_numpy(np.float32)])
    return x


def best(run, repeat):
    times = []
    shape = None
    for _ in range(repeat):
        start = time.perf_counter()
        x = run()
        times.append(time.perf_counter() - start)
        shape = x.shape
        del x
    return min(times), shape


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--input", required=True)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--from-bytes-only", action="store_true", help="skip the from-file timing")
    a = ap.parse_args()
    result = {"benchmark": "features_pandas", "input": a.input, "pandas": pd.__version__, "numpy": np.__version__}
    if not a.from_bytes_only:
        seconds, shape = best(lambda: pipeline(a.input), a.repeat)
        result.update(seconds=seconds, rows=shape[0], columns=shape[1], rows_per_second=shape[0] / seconds)
    with open(a.input, "rb") as fh:
        data = fh.read()
    seconds, shape = best(lambda: pipeline(io.BytesIO(data)), a.repeat)
    result.update(bytes_seconds=seconds, rows=shape[0], columns=shape[1], bytes_rows_per_second=shape[0] / seconds,
                  bytes=len(data))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
