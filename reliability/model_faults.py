#!/usr/bin/env python3
"""Model faults at start and at reload, against the real server and copies of the shipped bundle.

In a temporary models folder, next to a copy of the good bundle:
- truncated: bundle.json cut in half (its checksum left as it was);
- truncated-resummed: bundle.json cut in half and bundle.sha256 recomputed, so the decoder must refuse it;
- tampered: one digit of a parameter changed, checksum left as it was;
- wrong-version: format_version 999 with a matching checksum;
- no-checksum: bundle.sha256 removed.

At start, with each bad bundle as ACTIVE: the server starts, `/readyz` is 503, `/healthz` says the model is
`not_loaded`, `POST /v1/score` is 503 (no_model). At reload, on a server serving the good bundle: `POST
/v1/models/reload` of each bad bundle, named in the body and then through ACTIVE, is 422 (bundle_refused), and
`POST /v1/score` still answers with the good bundle's version; `/readyz` stays 200. Last, reloading the good bundle
is 200 (the check can tell success from failure).

Standard library only.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import time
from pathlib import Path

from common import Server, generate_records, log, recoup_binary, remove_folder, request, temp_folder, write_result, ROOT

NAME = "model_faults"


def short(text: str) -> str:
    """A reason without its 64-digit hashes (the first 12 digits say enough)."""
    return re.sub(r"\b([0-9a-f]{12})[0-9a-f]{52}\b", r"\1…", text)


def write_checksum(bundle: Path) -> None:
    digest = hashlib.sha256((bundle / "bundle.json").read_bytes()).hexdigest()
    (bundle / "bundle.sha256").write_text(f"{digest}  bundle.json\n")


def make_bad_bundles(models: Path, good: str) -> list[str]:
    def copy(name: str) -> Path:
        target = models / name
        shutil.copytree(models / good, target)
        return target

    b = copy("truncated")
    data = (b / "bundle.json").read_bytes()
    (b / "bundle.json").write_bytes(data[: len(data) // 2])

    b = copy("truncated-resummed")
    (b / "bundle.json").write_bytes(data[: len(data) // 2])
    write_checksum(b)

    b = copy("tampered")
    text = data.decode()
    m = re.compile(r"\d\.(\d)").search(text, len(text) // 2)  # a digit of some parameter, mid-file
    at = m.start(1)
    (b / "bundle.json").write_text(text[:at] + str((int(text[at]) + 1) % 10) + text[at + 1:])

    b = copy("wrong-version")
    assert text.startswith('{"format_version":1,'), text[:40]
    (b / "bundle.json").write_text('{"format_version":999,' + text[len('{"format_version":1,'):])
    write_checksum(b)

    b = copy("no-checksum")
    (b / "bundle.sha256").unlink()
    return ["truncated", "truncated-resummed", "tampered", "wrong-version", "no-checksum"]


def main() -> None:
    started = time.monotonic()
    binary = recoup_binary()
    folder = temp_folder(NAME)
    models = folder / "models"
    models.mkdir()
    good = (ROOT / "models" / "ACTIVE").read_text().strip()
    shutil.copytree(ROOT / "models" / good, models / good)
    bad = make_bad_bundles(models, good)
    record = generate_records(binary, 1, 3, folder)[0]
    cases = 0
    problems: list[str] = []
    outcomes: dict[str, dict] = {}

    def expect(condition: bool, what: str) -> None:
        nonlocal cases
        cases += 1
        if not condition:
            problems.append(what)

    # At start.
    for name in bad:
        (models / "ACTIVE").write_text(name + "\n")
        server = Server(binary, folder / f"start-{name}.sqlite", models)
        try:
            server.start(wait_ready=False)
        except RuntimeError as error:
            expect(False, f"start with {name}: {error}")
            continue
        ready = request(server.port, "GET", "/readyz")
        health = request(server.port, "GET", "/healthz").json()
        score = request(server.port, "POST", "/v1/score", record, key=server.admin_key)
        server.stop()
        expect(ready.status == 503, f"start with {name}: /readyz answered {ready.status}, not 503")
        expect(health["model"]["status"] == "not_loaded", f"start with {name}: /healthz model is {health['model']}")
        expect(score.status == 503, f"start with {name}: POST /v1/score answered {score.status}, not 503")
        reason = next((line for line in server.log_path.read_text().splitlines() if "no model loaded" in line), "")
        reason = short(reason.split("reason=", 1)[-1].split(" [recoup]")[0].replace(str(models) + "/", ""))
        outcomes[f"start with {name}"] = {
            "outcome": f"starts; /readyz {ready.status}, /healthz model {health['model']['status']}, POST /v1/score {score.status}",
            "reason": reason[:240]}
        log(NAME, f"start with {name}: readyz {ready.status}, model {health['model']['status']}, score {score.status}")

    # At reload.
    (models / "ACTIVE").write_text(good + "\n")
    server = Server(binary, folder / "reload.sqlite", models)
    server.start()
    key = server.admin_key
    before = request(server.port, "POST", "/v1/score", record, key=key).json()["model_version"]
    for name in bad:
        for how in ("named", "ACTIVE"):
            if how == "named":
                r = request(server.port, "POST", "/v1/models/reload", {"version": name}, key=key)
            else:
                (models / "ACTIVE").write_text(name + "\n")
                r = request(server.port, "POST", "/v1/models/reload", key=key)
                (models / "ACTIVE").write_text(good + "\n")
            body = r.json()
            s = request(server.port, "POST", "/v1/score", record, key=key)
            version = s.json().get("model_version") if s.status == 200 else None
            ready = request(server.port, "GET", "/readyz").status
            expect(r.status == 422 and body.get("error", {}).get("code") == "bundle_refused",
                   f"reload of {name} ({how}): {r.status} {body}")
            expect(s.status == 200 and version == before, f"after refusing {name} ({how}): score {s.status}, version {version}")
            expect(ready == 200, f"after refusing {name} ({how}): /readyz {ready}")
            message = short(body.get("error", {}).get("message", "").replace(str(models) + "/", ""))
            outcomes[f"reload {name} ({'by name' if how == 'named' else 'through ACTIVE'})"] = {
                "outcome": f"{r.status} {body.get('error', {}).get('code')}; POST /v1/score still answers {version}; /readyz {ready}",
                "reason": message[:240]}
            log(NAME, f"reload {name} ({how}): {r.status}; still serving {version}")
    r = request(server.port, "POST", "/v1/models/reload", {"version": good}, key=key)
    expect(r.status == 200 and r.json()["version"] == before, f"reload of the good bundle: {r.status} {r.body[:200]!r}")
    server.stop()
    for p in problems:
        log(NAME, f"problem: {p}")
    write_result(NAME, "Model faults (start, reload)", cases=cases, failures=len(problems), lost=None,
                 seconds=time.monotonic() - started, details={"serving": before, "bad_bundles": bad, "outcomes": outcomes, "problems": problems})
    remove_folder(folder, bool(problems), NAME)


if __name__ == "__main__":
    main()
