"""Shared helpers of the reliability checks (standard library only).

Every check starts its own `recoup serve` on a free loopback port with a fresh database in a temporary folder,
talks to it over plain HTTP, and writes its result as JSON (`check`, `cases`, `failures`, `lost`, `details`) to
`reliability/out/<name>.json`; `run.py` collects them into the table of RELIABILITY.md.
"""

from __future__ import annotations

import atexit
import csv
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "reliability" / "out"
LABEL_COLUMNS = ("disposition", "fraud_flag", "recovery_value")
ADMIN_KEY = re.compile(r"rk_[0-9a-f]+_[0-9a-f]+")
_SERVERS: list["Server"] = []  # every server started, so that none outlives its check (see _stop_servers)


def recoup_binary() -> Path:
    """The release `recoup` (built by `make reliability`); RECOUP_BIN overrides it."""
    if os.environ.get("RECOUP_BIN"):
        return Path(os.environ["RECOUP_BIN"])
    bin_path = subprocess.run(
        ["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    binary = Path(bin_path) / "recoup"
    if not binary.exists():
        sys.exit(f"{binary} does not exist: run `swift build -c release --product recoup` first")
    return binary


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log(name: str, message: str) -> None:
    print(f"[{name}] {message}", flush=True)


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


def request(port: int, method: str, path: str, body=None, key: str | None = None, timeout: float = 30.0) -> Response:
    """One HTTP request on a fresh connection. Raises OSError (refused, reset, timeout) when the server is gone."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {}
        data = None
        if body is not None:
            data = body if isinstance(body, (bytes, str)) else json.dumps(body)
            headers["Content-Type"] = "application/json"
        if key:
            headers["Authorization"] = f"Bearer {key}"
        conn.request(method, path, body=data, headers=headers)
        r = conn.getresponse()
        payload = r.read()
        return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, payload)
    except http.client.HTTPException as error:  # a reply cut short by a kill
        raise ConnectionError(f"{method} {path}: {error!r}") from error
    finally:
        conn.close()


@dataclass
class Server:
    """A `recoup serve` child process. `db` is a SQLite file (the logs go next to it) or a PostgreSQL URL string
    (several replicas may share it; the logs then go to `log_dir`)."""

    binary: Path
    db: Path | str
    models: Path
    port: int = field(default_factory=free_port)
    extra: list[str] = field(default_factory=list)
    process: subprocess.Popen | None = None
    admin_key: str | None = None
    log_path: Path | None = None
    starts: int = 0
    log_dir: Path | None = None

    def start(self, wait_ready: bool = True, timeout: float = 60.0) -> None:
        self.starts += 1
        if self not in _SERVERS:
            _SERVERS.append(self)
        if self.log_dir is not None:
            self.log_path = self.log_dir / f"serve-{self.port}.{self.starts}.log"
        elif isinstance(self.db, Path):
            self.log_path = self.db.with_suffix(f".serve{self.starts}.log")
        else:
            raise ValueError(f"Server with db {self.db!r} needs a log_dir")
        out = open(self.log_path, "wb")
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
        self.process = subprocess.Popen(
            [str(self.binary), "serve", "--port", str(self.port), "--db", str(self.db), "--models", str(self.models),
             "--log-level", "warning", *self.extra],
            stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT,
        )
        out.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"recoup serve exited with {self.process.returncode}: {self.log_path.read_text()[-2000:]}")
            try:
                r = request(self.port, "GET", "/healthz", timeout=2)
                if r.status == 200 and (not wait_ready or request(self.port, "GET", "/readyz", timeout=2).status == 200):
                    break
            except OSError:
                pass
            time.sleep(0.05)
        else:
            raise RuntimeError(f"recoup serve on port {self.port} did not come up in {timeout} s")
        if self.admin_key is None:
            found = ADMIN_KEY.search(self.log_path.read_text(errors="replace"))
            if found:
                self.admin_key = found.group(0)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, no goodbye."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def rss_kib(self) -> int | None:
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        except (OSError, AttributeError):
            return None
        return None

    def create_key(self, role: str) -> str:
        out = subprocess.run(
            [str(self.binary), "keys", "create", "--role", role, "--db", str(self.db)],
            capture_output=True, text=True, check=True, cwd=ROOT,
        ).stdout
        found = ADMIN_KEY.search(out)
        if not found:
            raise RuntimeError(f"recoup keys create printed no key: {out!r}")
        return found.group(0)


@atexit.register
def _stop_servers() -> None:
    """A check that stops half-way (an exception, Ctrl-C) must not leave its server running."""
    for server in _SERVERS:
        server.kill()


class PostgresCluster:
    """A throwaway PostgreSQL cluster in `folder` (`scripts/postgres-cluster.sh`), stopped at exit at the latest."""

    SCRIPT = ROOT / "scripts" / "postgres-cluster.sh"

    def __init__(self, folder: Path):
        self.folder = folder
        self.url: str | None = None  # of the `postgres` database
        self.port: int | None = None

    def _run(self, *args: str, timeout: float = 120) -> str:
        done = subprocess.run([str(self.SCRIPT), *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT)
        if done.returncode != 0:
            raise RuntimeError(f"postgres-cluster.sh {' '.join(args)} exited with {done.returncode}: {done.stderr[-2000:]}")
        return done.stdout

    def start(self) -> str:
        """Starts the cluster (initdb the first time; the same port again afterwards) and returns its URL."""
        out = self._run("start", str(self.folder), *([str(self.port)] if self.port else []))
        self.url = out.strip().splitlines()[-1]
        self.port = int(self.url.rsplit(":", 1)[1].split("/")[0])
        if self not in _CLUSTERS:
            _CLUSTERS.append(self)
        return self.url

    def create_database(self, name: str) -> str:
        """CREATE DATABASE `name`; the URL of the new database."""
        subprocess.run(["psql", self.url, "-q", "-c", f'CREATE DATABASE "{name}"'], check=True, capture_output=True, timeout=60)
        return self.url.rsplit("/", 1)[0] + "/" + name

    def stop(self, mode: str = "fast") -> None:
        self._run("stop", str(self.folder), mode)

    def restart(self, mode: str = "immediate") -> None:
        self._run("restart", str(self.folder), mode)

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return (self.folder / "log").read_text(errors="replace")[-chars:]
        except OSError:
            return ""


_CLUSTERS: list[PostgresCluster] = []


@atexit.register
def _stop_clusters() -> None:
    """A check that stops half-way must not leave its cluster running either (its servers go first)."""
    _stop_servers()
    for cluster in _CLUSTERS:
        try:
            cluster.stop("immediate")
        except Exception:  # noqa: BLE001 - best effort at exit
            pass


def generate_records(binary: Path, rows: int, seed: int, folder: Path) -> list[dict]:
    """`recoup generate` rows as JSON records: the label columns dropped, empty fields (missing) left out."""
    path = folder / f"returns-{rows}-{seed}.csv"
    subprocess.run([str(binary), "generate", "--rows", str(rows), "--seed", str(seed), "--out", str(path)],
                   check=True, capture_output=True, cwd=ROOT)
    with open(path, newline="") as f:
        return [{k: v for k, v in row.items() if k not in LABEL_COLUMNS and v != ""} for row in csv.DictReader(f)]


def temp_folder(name: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"recoup-{name}-"))


def remove_folder(folder: Path, failed: bool, name: str) -> None:
    """Removes a check's temporary folder, unless the check failed: then its databases and server logs stay."""
    if failed:
        log(name, f"kept {folder} (server logs, databases) for a look")
    else:
        shutil.rmtree(folder, ignore_errors=True)


def write_result(name: str, check: str, cases: int, failures: int, lost: int | None, seconds: float, details: dict) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    result = {"check": check, "cases": cases, "failures": failures, "lost": lost, "seconds": round(seconds, 1), "details": details}
    (OUT / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    verdict = "ok" if failures == 0 and not lost else "FAILED"
    log(name, f"{verdict}: {cases} cases, {failures} failures, lost {lost}, {seconds:.1f} s")
