"""Loaded by schemathesis (SCHEMATHESIS_HOOKS, see api_fuzz.py) before it generates anything.

1. The rules of the return record that a JSON schema cannot state. `openapi.yaml` states every other rule (ranges,
   patterns, enums, lengths, dates that exist) and lists these in the ReturnRecord description; here they are told to
   the generator, so that the data it generates as valid (positive) is valid:
   - `return_requested_date` is not before `order_date` (a rule between two fields);
   - a number written as a string is finite and in its field's range, and an integer field's string has no fraction
     (the schema's patterns state the sign; the magnitude and integrality of `"5e-1"` or `"1e999"` are arithmetic);
   - a `return_id` sent as a JSON number or boolean is taken as its text, which has at most 128 characters.
   Only positive cases are repaired; a negative case stays as generated (these repairs never make it valid, since
   they touch only values that already match the schema).

2. CPython 3.11 (this machine's 3.11.7 and Debian 12's python3 3.11.2 alike) can raise `SystemError: AST constructor
   recursion depth mismatch` from `ast.parse` when it runs deep in a recursion. Hypothesis calls `ast.parse` to
   describe a lambda in the repr of a recursive strategy, which schemathesis builds for "any JSON value" schemas, so
   the fuzzer itself crashed now and then. The description is cosmetic: on that error, use the generic one.
"""

from __future__ import annotations

import json
import math
import re

import schemathesis
from hypothesis.internal import lambda_sources

# --- 1. The record's rules that a schema cannot state ---------------------------------------------------------------

SPACE = "\t\n\v\f\r "
INT64 = (-(2**63), 2**63 - 1)
# field -> (integer?, lowest, highest, lowest excluded?): the contract's ranges (shared/contract/return-record.md).
RANGES = {
    "unit_price": (False, 0, math.inf, False),
    "quantity": (True, 1, INT64[1], False),
    "customer_tenure_days": (True, 0, INT64[1], False),
    "customer_orders_12m": (True, 0, INT64[1], False),
    "customer_returns_12m": (True, 0, INT64[1], False),
    "customer_return_value_12m": (False, 0, math.inf, False),
    "weight_kg_declared": (False, 0, math.inf, True),
    "weight_kg_measured": (False, 0, math.inf, True),
    "sku_return_rate_90d": (False, 0, 1, False),
    "sku_sell_through_30d": (False, 0, 1, False),
    "days_in_season_remaining": (True, INT64[0], INT64[1], False),
    "inventory_on_hand": (True, 0, INT64[1], False),
    "shipping_cost_back": (False, 0, math.inf, False),
}
TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::\d{2}(?:[.,]\d+)?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?)?"
)
RECORD_OPERATIONS = {("POST", "/v1/returns"), ("POST", "/v1/score"), ("POST", "/v1/authorizations")}


def days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date, year 0 included (Howard Hinnant's, as `Day` computes)."""
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def utc_day(value: object) -> int | None:
    """The UTC day the server reads from a date or timestamp string (the schema's pattern has checked its form)."""
    if not isinstance(value, str):
        return None
    m = TIMESTAMP.fullmatch(value.strip(SPACE))
    if not m:
        return None
    day = days_from_civil(int(m[1]), int(m[2]), int(m[3]))
    if m[4] is None:
        return day
    minutes = int(m[4]) * 60 + int(m[5])
    if m[7]:
        minutes -= (1 if m[7] == "+" else -1) * (int(m[8]) * 60 + int(m[9]))
    return day + (-1 if minutes < 0 else (1 if minutes >= 24 * 60 else 0))


def number_ok(text: str, integer: bool, low: float, high: float, low_excluded: bool) -> bool:
    """What the server's number parser and range check make of a number written as a string."""
    try:
        value = float(text.strip(SPACE))
    except ValueError:
        return True  # not a number at all: the schema's pattern decides, nothing to repair
    if not math.isfinite(value):
        return False
    if integer and (value != int(value) or not INT64[0] <= value < 2.0**63):
        return False
    return (value > low if low_excluded else value >= low) and value <= high


def repair_record(record: dict) -> None:
    for field, (integer, low, high, low_excluded) in RANGES.items():
        value = record.get(field)
        if isinstance(value, str) and not number_ok(value, integer, low, high, low_excluded):
            record[field] = "1"
    order, requested = utc_day(record.get("order_date")), utc_day(record.get("return_requested_date"))
    if order is not None and requested is not None and requested < order:
        record["return_requested_date"] = record["order_date"]
    rid = record.get("return_id")
    if isinstance(rid, (int, float, bool)) and len(json.dumps(rid)) > 128:
        record["return_id"] = "R-long-number"


@schemathesis.hook
def map_case(context, case):
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return case
    if (case.operation.method.upper(), case.operation.path) not in RECORD_OPERATIONS:
        return case
    body = case.body
    records = body.get("returns") if isinstance(body, dict) and "returns" in body else body
    for record in records if isinstance(records, list) else [records]:
        if isinstance(record, dict):
            repair_record(record)
    return case


# --- 2. CPython 3.11's ast.parse under deep recursion ----------------------------------------------------------------

_describe = lambda_sources._lambda_description


def _lambda_description(f, *args, **kwargs):
    try:
        return _describe(f, *args, **kwargs)
    except SystemError:
        return "lambda: <unknown>"


lambda_sources._lambda_description = _lambda_description
