"""Export jobs at clinic scale (issue 18): for the sessions report over every session (100,000),
as CSV and as XLSX, the time to first byte of the page that asks and of the POST that starts
the job (gunicorn, production settings), then the job itself in a fresh process, as a worker
runs it: seconds to finish and peak memory (maximum resident set size, /usr/bin/time).

    .venv/bin/python bench/export_jobs.py --database sqlite|postgres   (make bench-exports)
"""

import argparse
import http.cookiejar
import json
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run_http  # the HTTP benchmark's database, server and settings

PORT = 8093
RANGE = {"date_from": "2024-01-01", "date_to": "2028-12-31", "by": "month"}  # every session
TRIES = 5


def _opener(cookie: str, session: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    opener.addheaders = [("Cookie", f"{cookie}={session}"), ("X-Forwarded-Proto", "https")]
    return opener


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _first_byte(opener, request) -> tuple[float, bytes, object]:
    began = time.perf_counter()
    try:
        response = opener.open(request, timeout=60)
    except urllib.error.HTTPError as redirect:  # the POST answers 302
        response = redirect
    first = response.read(1)
    elapsed = time.perf_counter() - began
    return elapsed, first + response.read(), response


def _measure(fmt: str, cookie: str, session: str) -> dict:
    base = f"http://127.0.0.1:{PORT}/reports/sessions/export.{fmt}?{urllib.parse.urlencode(RANGE)}"
    asks, starts, job = [], [], None
    for _ in range(TRIES):
        opener = _opener(cookie, session)
        seconds, body, answer = _first_byte(opener, base)
        asks.append(seconds)
        if answer.status != 200:
            raise SystemExit(f"the page that asks answered {answer.status}")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        assert token, "the page that asks has no form: is the export under the threshold?"
        csrf = _csrf_cookie(answer)
        request = urllib.request.Request(
            base,
            data=urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1)}).encode(),
            headers={
                "Referer": f"https://127.0.0.1:{PORT}/reports/sessions/",
                "Cookie": f"{cookie}={session}; __Host-csrftoken={csrf}",
                "X-Forwarded-Proto": "https",
            },
        )
        seconds, body, response = _first_byte(urllib.request.build_opener(_NoRedirect()), request)
        starts.append(seconds)
        if response.status != 302:
            problem = re.findall(rb"alert[^>]*>([^<]+)", body)
            raise SystemExit(f"the POST answered {response.status}: {problem!r}")
        job = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    return {"ask_ms": statistics.median(asks) * 1000, "start_ms": statistics.median(starts) * 1000,
            "job": job}  # fmt: skip


def _csrf_cookie(answer) -> str:
    """The CSRF cookie the page set (secure in production: a cookie jar would keep it from a
    plain-HTTP request, so it is read off the header)."""
    for header in answer.headers.get_all("Set-Cookie") or ():
        found = re.match(r"(?:__Host-)?csrftoken=([^;]+)", header)
        if found:
            return found.group(1)
    raise SystemExit("no CSRF cookie from the page that asks")


def _run_job(env: dict, pk: int) -> tuple[float, float, str]:
    """The job in a fresh process, as a worker runs it: (seconds, peak MiB, state)."""
    code = f"from reports import jobs; print(jobs.export_run({pk}))"
    began = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-v", run_http.PY, "manage.py", "shell", "-c", code, "-v0"],
        cwd=run_http.ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    seconds = time.perf_counter() - began
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    return seconds, int(peak.group(1)) / 1024 if peak else float("nan"), done.stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=sorted(run_http.DATABASES), default="sqlite")
    args = parser.parse_args()
    url = run_http.DATABASES[args.database]
    # Its own queue file: the jobs started here are run here, never by a later `make run`.
    env = {**run_http._production_env(url), "HUEY_SQLITE_PATH": "/tmp/follicle-bench-queue.sqlite3"}
    run_http._build(args.database, {**run_http.os.environ, "DATABASE_URL": url})
    run_http._manage(env, "collectstatic", "--noinput", "-v0")
    sessions = json.loads(run_http._manage(env, "bench_sessions", "--only", "audit log"))
    cookie, session = sessions["cookie"]["name"], sessions["pages"][0]["session"]
    server = run_http._serve("clinic.wsgi:application", PORT, env)
    rows = []
    try:
        for fmt in ("csv", "xlsx"):
            measured = _measure(fmt, cookie, session)
            seconds, peak, state = _run_job(env, measured["job"])
            rows.append((fmt, measured, seconds, peak, state))
    finally:
        server.terminate()
        server.wait(timeout=30)
        # The other jobs the timed POSTs started: not run, removed.
        run_http._manage(
            env,
            "shell",
            "-c",
            "from reports.models import Export; "
            "Export.objects.filter(background=True, state='queued').delete()",
            "-v0",
        )
    scale = run_http._scale(env)
    print(f"\n{args.database}, {scale}; sessions report over every session")
    print("| format | page that asks (TTFB) | POST that starts the job (TTFB) | job: seconds | "
          "job: peak memory | state |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    for fmt, measured, seconds, peak, state in rows:
        print(f"| {fmt.upper()} | {measured['ask_ms']:.0f} ms | {measured['start_ms']:.0f} ms | "
              f"{seconds:.1f} s | {peak:.0f} MiB | {state} |")  # fmt: skip
    return 0 if all(state == "done" for *_, state in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
