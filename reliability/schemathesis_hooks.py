"""Loaded by schemathesis (SCHEMATHESIS_HOOKS, see api_fuzz.py) before it generates anything.

CPython 3.11 (this machine's 3.11.7 and Debian 12's python3 3.11.2 alike) can raise `SystemError: AST constructor
recursion depth mismatch` from `ast.parse` when it runs deep in a recursion. Hypothesis calls `ast.parse` to describe a lambda in the
repr of a recursive strategy, which schemathesis builds for "any JSON value" schemas, so the fuzzer itself crashed
now and then (Debian 12's python3 is 3.11.2). The description is cosmetic: on that error, use the generic one.
"""

from hypothesis.internal import lambda_sources

_describe = lambda_sources._lambda_description


def _lambda_description(f, *args, **kwargs):
    try:
        return _describe(f, *args, **kwargs)
    except SystemError:
        return "lambda: <unknown>"


lambda_sources._lambda_description = _lambda_description
