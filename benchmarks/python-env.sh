# Sourced by the benchmark scripts: sets PYTHON to benchmarks/.venv/bin/python, creating the venv from
# benchmarks/requirements.txt when it is missing (PYTHON set by the caller wins).
if [ -z "${PYTHON:-}" ]; then
  if [ ! -x benchmarks/.venv/bin/python ]; then
    echo "creating benchmarks/.venv from benchmarks/requirements.txt" >&2
    python3 -m venv benchmarks/.venv
    benchmarks/.venv/bin/pip install -q -r benchmarks/requirements.txt >&2
  fi
  PYTHON=benchmarks/.venv/bin/python
fi
