"""`make bench-http`: Follicle's pages over HTTP at clinic scale, beside a bare-Django floor.

    .venv/bin/python bench/run_http.py --database sqlite|postgres [--seconds 8] [--only NAME]

Builds the clinic-scale database once (seed_bench: 10,000 patients, 100,000 sessions; later
runs only migrate it), collects the static files, and serves the app with gunicorn under
production settings (2 sync workers, as a small clinic would) and the floor (`bench/floor.py`)
the same way. Each role's pages are loaded with wrk (8 connections, 2 threads) with a signed-in
session; a floor run comes before the first page and after every page, and each page's ratio is
its requests a second over the mean of the floor runs either side of it, so a machine that is
busier for a while moves both. Prints a Markdown table: req/s, median and p99 latency, ratio.

Needs wrk (`make wrk` installs Debian's) and, for PostgreSQL, the server on 127.0.0.1:5432.
"""

import argparse
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
DATABASES = {
    "sqlite": f"sqlite:///{ROOT / 'bench.sqlite3'}",
    "postgres": "postgres://postgres@127.0.0.1:5432/follicle_bench",
}
APP_PORT, FLOOR_PORT = 8710, 8711
WORKERS = 2
CONNECTIONS, THREADS = 8, 2


@dataclass
class Run:
    rps: float
    median_ms: float
    p99_ms: float
    errors: str  # wrk's non-2xx/3xx and socket-error lines, if any


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=sorted(DATABASES), default="sqlite")
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", 8)))
    parser.add_argument("--only", help="only pages whose name contains this")
    args = parser.parse_args()
    env = _production_env(DATABASES[args.database])
    _build(args.database, {**os.environ, "DATABASE_URL": DATABASES[args.database]})
    _manage(env, "collectstatic", "--noinput", "-v0")
    sessions = json.loads(
        _manage(env, "bench_sessions", *(["--only", args.only] if args.only else []))
    )
    servers = [
        _serve("clinic.wsgi:application", APP_PORT, env),
        _serve("bench.floor:application", FLOOR_PORT, env),
    ]
    try:
        rows = _measure(sessions, args.seconds)
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    _print_table(args, rows, _scale(env))
    return 1 if any(run.errors for _, _, run, _ in rows) else 0


def _production_env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CLINIC_ALLOW_CONSOLE_EMAIL": "true",
        "PYTHONPATH": str(ROOT),
    }


def _manage(env: dict[str, str], *command: str) -> str:
    done = subprocess.run(
        [PY, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"manage.py {' '.join(command)} failed:\n{done.stderr}")
    return done.stdout


def _build(database: str, env: dict[str, str]) -> None:
    """Seed the clinic-scale data once; later runs only apply new migrations. Development
    settings: seed_bench refuses to run with DEBUG off, so it never touches a clinic's data."""
    if database == "postgres":
        # Fails harmlessly when the database is there already.
        subprocess.run(
            ["createdb", "-h", "127.0.0.1", "-U", "postgres", "follicle_bench"],
            capture_output=True,
        )
    _manage(env, "migrate", "-v0")
    seeded = _manage(
        env,
        "shell",
        "-c",
        "from intake.models import Patient; print(Patient.objects.exists())",
        "-v0",
    )
    if seeded.strip() != "True":
        print(f"Building the clinic-scale {database} database (once)...", file=sys.stderr)
        _manage(env, "seed_bench")


def _scale(env: dict[str, str]) -> str:
    return _manage(
        env,
        "shell",
        "-c",
        "from intake.models import Patient; from scheduling.models import TreatmentSession; "
        "print(f'{Patient.objects.count():,} patients, "
        "{TreatmentSession.objects.count():,} sessions')",
        "-v0",
    ).strip()


def _serve(app: str, port: int, env: dict[str, str]) -> subprocess.Popen:
    server = subprocess.Popen(
        [GUNICORN, app, "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(150):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    sys.exit(f"{app} did not start on port {port}")


def _headers(cookie_name: str, session: str) -> dict[str, str]:
    # Production redirects plain HTTP to HTTPS unless a TLS proxy says it was HTTPS.
    return {"Cookie": f"{cookie_name}={session}", "X-Forwarded-Proto": "https"}


def _check(url: str, headers: dict[str, str]) -> None:
    """The page answers 200 to this session: a redirect (to log in) would time the wrong page."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(url, headers=headers)
    try:
        status = urllib.request.build_opener(NoRedirect).open(request, timeout=60).status
    except urllib.error.HTTPError as exc:
        status = f"{exc.code} {exc.headers.get('Location', '')}"
    if status != 200:
        sys.exit(f"{url} answered {status}, not 200")


def _wrk(url: str, seconds: int, headers: dict[str, str] | None = None) -> Run:
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", url]
    for name, value in (headers or {}).items():
        command[1:1] = ["-H", f"{name}: {value}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = "; ".join(
        line.strip() for line in out.splitlines() if "Non-2xx" in line or "Socket errors" in line
    )
    return Run(rps, _latency(out, "50%"), _latency(out, "99%"), errors)


def _latency(out: str, percentile: str) -> float:
    value, unit = re.search(rf"^\s+{percentile}\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _measure(sessions: dict, seconds: int) -> list[tuple[str, str, Run, float]]:
    floor_url = f"http://127.0.0.1:{FLOOR_PORT}/"
    _wrk(floor_url, 1)  # warm up
    floors = [_wrk(floor_url, seconds)]
    rows = []
    for page in sessions["pages"]:
        url = f"http://127.0.0.1:{APP_PORT}{page['path']}"
        headers = _headers(sessions["cookie"]["name"], page["session"])
        _check(url, headers)
        _wrk(url, 1, headers)  # warm up
        run = _wrk(url, seconds, headers)
        floors.append(_wrk(floor_url, seconds))
        floor = (floors[-2].rps + floors[-1].rps) / 2
        rows.append((page["name"], page["role"], run, floor))
        print(f"{page['name']}: {run.rps:.0f} req/s, floor {floor:.0f}", file=sys.stderr)
    return rows


def _print_table(args, rows: list[tuple[str, str, Run, float]], scale: str) -> None:
    print(
        f"\n{args.database}, {scale}; gunicorn {WORKERS} sync workers, production settings; "
        f"wrk {CONNECTIONS} connections, {THREADS} threads, {args.seconds} s a run; "
        f"{os.cpu_count()} cores\n"
    )
    print("| page | role | req/s | median ms | p99 ms | floor req/s | ratio |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, role, run, floor in rows:
        print(
            f"| {name} | {role} | {run.rps:.0f} | {run.median_ms:.1f} | {run.p99_ms:.1f} "
            f"| {floor:.0f} | {run.rps / floor:.2f} |"
            + (f" errors: {run.errors}" if run.errors else "")
        )


if __name__ == "__main__":
    sys.exit(main())
