"""Measure the server as in production, over loopback, with wrk.

Starts `alliances serve` (one worker, production mode, a fresh database, the
bundled course), signs a learner up, then drives with wrk:
  1. /plaintext — the bare baseline of the same server, same run;
  2. a signed-in learner's module page with a quiz;
  3. a quiz submission (POST, graded, durably committed).
Reports requests/s, p50/p99 latency, errors and the server's peak RSS, and the
CPU time the hypervisor gave to other guests meanwhile ("steal"): on a shared VM
a run with high steal measures the neighbours, not the server.

By default the server runs on CPU 0 (`alliances serve --cpu 0`, as docs/PERFORMANCE.md
recommends for a server that has the machine to itself) and wrk on CPU 1, so the
load generator never takes the server's core; `--server-cpu none` measures the
server unpinned (wrk then runs wherever the kernel puts it, unless --wrk-cpu).

Usage: python bench/bench_server.py [--duration 10] [--connections 64] [--rounds 1]
       [--server-cpu 0|none] [--wrk-cpu 1|none] [--json out.json]
Needs `wrk` (Debian package) on PATH. Never run by the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2 as httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import learners
from course.loader import load_course
from server.middleware import CSRF_COOKIE as CSRF
from server.middleware import SESSION_COOKIE as SESSION
from server.security import Signer, cookie_name

ROOT = Path(__file__).resolve().parent.parent
MODULE_PATH, MODULE_ID = "1h", "decouvrir-pourquoi"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    workdir: Path, port: int, cpu: str | None, database: str | None = None, workers: int = 1
) -> subprocess.Popen:
    env = {
        **os.environ,
        "ALLIANCES_ENV": "production",
        "ALLIANCES_SECRET_KEY": SECRET_KEY,
        "ALLIANCES_BASE_URL": f"http://127.0.0.1:{port}",
        "ALLIANCES_DATABASE": database or str(workdir / "bench.db"),
        "ALLIANCES_CONTENT_DIR": str(ROOT / "content"),
    }
    cli = Path(sys.executable).with_name("alliances")
    cmd = [str(cli), "serve", "--port", str(port), "--no-access-log"]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    elif cpu:
        cmd += ["--cpu", cpu]
    # To a file, never an unread pipe: a server that logs more than the pipe holds
    # (64 KiB) would block on its next line, and the bench would measure that.
    log = server_log(workdir, port)
    with log.open("wb") as errors:
        server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=errors)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("server did not start: " + log.read_text(errors="replace"))


def server_log(workdir: Path, port: int) -> Path:
    """Where the server started on `port` writes its log (its standard error)."""
    return workdir / f"server-{port}.log"


def server_errors(workdir: Path, port: int) -> list[str]:
    """The log's lines that say a request failed (an ERROR, a traceback's last line)."""
    lines = server_log(workdir, port).read_text(errors="replace").splitlines()
    return [
        line
        for number, line in enumerate(lines)
        if "ERROR" in line
        or (number and lines[number - 1].startswith("  ") and not line.startswith(" "))
    ]


def signed_in(client: httpx.Client, url: str, fields: dict[str, str]) -> str:
    """Post the sign-up or login form as a browser would; the Cookie header it then holds.

    The server runs in production: cookies are `__Host-` and Secure, so over plain
    loopback we carry them by hand; the CSRF cookie is renewed at sign-in.
    """
    csrf_name, session_name = cookie_name(CSRF, True), cookie_name(SESSION, True)
    page = client.get(url)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
    csrf = re.search(rf"{csrf_name}=([^;]+)", page.headers["set-cookie"])[1]
    done = client.post(
        url, data={"csrf_token": token, **fields}, headers={"cookie": f"{csrf_name}={csrf}"}
    )
    set_cookies = "; ".join(done.headers.get_list("set-cookie"))
    session = re.search(rf"{session_name}=([^;]+)", set_cookies)[1]
    csrf = re.search(rf"{csrf_name}=([^;]+)", set_cookies)[1]
    return f"{csrf_name}={csrf}; {session_name}={session}"


def sign_up(base: str) -> tuple[str, str]:
    """A learner's cookie header and CSRF token, as a browser would hold them."""
    with httpx.Client(base_url=base) as client:
        cookies = signed_in(
            client,
            "/signup",
            {
                # One database may serve several measurements (bench_scale.py's rounds).
                "email": f"bench-{secrets.token_hex(6)}@example.fr",
                "name": "Apprenante Bench",
                "password": "une phrase de passe pour le banc",
            },
        )
        # The token is bound to the session: the signed-in page gives the new one.
        page = client.get("/", headers={"cookie": cookies})
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
        client.post(
            f"/paths/{MODULE_PATH}/start", data={"csrf_token": token}, headers={"cookie": cookies}
        )
        return cookies, token


SECRET_KEY = "bench-" + "k" * 40
MOST_PER_SECOND = 8000  # above the fastest submissions measured here: the bodies never run out


def submissions_script(
    workdir: Path, database: Path | str, round_number: int, seconds: int
) -> Path:
    """A wrk script that sends valid submissions: each learner's attempts, in turn.

    Each round has its own learners, so every request is a learner's next attempt
    (graded and durably recorded), never a replay answered with 409; and each
    learner sends fewer attempts than the limit per learner and module allows
    (bench/learners.py), so none is refused with 429. wrk calls `request` once
    before it starts sending, and throws that request away: the first entry is
    a spare learner's, so that call costs no one an attempt. Cookies and bodies
    are read from files: tens of thousands of string constants are more than a
    Lua chunk may hold.
    """
    signer = Signer(SECRET_KEY)
    module = load_course(ROOT / "content").modules[MODULE_ID]
    size, attempts = learners.group(MOST_PER_SECOND * seconds)
    spare, *group = learners.seed(database, signer, size + 1, start=round_number * (size + 1))
    cookies = workdir / f"cookies-{round_number}.txt"
    cookies.write_text("".join(f"{learner.cookie}\n" for learner in [spare, *group]))
    bodies = workdir / f"bodies-{round_number}.txt"
    with bodies.open("w") as out:
        out.write(f"{learners.form(signer, module, spare, 0)}\n")
        for number in range(attempts):
            for learner in group:
                out.write(f"{learners.form(signer, module, learner, number)}\n")
    lua = [
        "local function lines(name)",
        "  local all = {}",
        "  for line in io.lines(name) do all[#all + 1] = line end",
        "  return all",
        "end",
        f"local cookies = lines({_lua(str(cookies))})",
        f"local bodies = lines({_lua(str(bodies))})",
        "local i = 0",
        'wrk.method = "POST"',
        "request = function()",
        "  i = i + 1",
        "  local n = i <= #bodies and i or #bodies  -- past the end: replays, counted as errors",
        f"  local cookie = cookies[n == 1 and 1 or (n - 2) % {size} + 2]",
        "  return wrk.format(nil, nil, {",
        '    ["Cookie"] = cookie,',
        '    ["Content-Type"] = "application/x-www-form-urlencoded",',
        "  }, bodies[n])",
        "end",
    ]
    script = workdir / f"submissions-{round_number}.lua"
    script.write_text("\n".join(lua) + "\n")
    return script


def _lua(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def wrk(
    url: str,
    seconds: int,
    connections: int,
    cookie: str,
    lua: Path | None = None,
    cpu: str | None = None,
) -> dict:
    cmd = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-H",
        f"Cookie: {cookie}",
    ]
    if lua:
        cmd += ["-s", str(lua)]
    if cpu:
        cmd = ["taskset", "-c", cpu, *cmd]
    before = _cpu_ticks()
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    after = _cpu_ticks()
    return {
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
        "p50_ms": _ms(re.search(r"50%\s+([\d.]+\w+)", out)[1]),
        "p99_ms": _ms(re.search(r"99%\s+([\d.]+\w+)", out)[1]),
        "requests": int(re.search(r"(\d+) requests in", out)[1]),
        "errors": _errors(out),
        "steal_pct": _steal_percent(before, after),
    }


def _cpu_ticks() -> list[int]:
    """The machine's CPU time so far by kind (user, nice, system, idle, …, steal)."""
    return [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:9]]


def _steal_percent(before: list[int], after: list[int]) -> float:
    """Share of CPU time the hypervisor gave to other guests: high steal, slow run."""
    spent = [b - a for a, b in zip(before, after, strict=True)]
    return round(100 * spent[7] / max(sum(spent), 1), 1)


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def _errors(out: str) -> int:
    count = 0
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    if socket_errors:
        count += sum(int(x) for x in socket_errors.groups())
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return count + (int(non2xx[1]) if non2xx else 0)


def peak_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status)[1]) / 1024


def measure(
    duration: int,
    connections: int,
    rounds_wanted: int,
    server_cpu: str | None,
    wrk_cpu: str | None,
    database: str | None = None,
    workers: int = 1,
) -> tuple[list[dict], float]:
    """Start a server on a fresh database (SQLite, or the empty PostgreSQL database
    `database` names), measure the three endpoints `rounds_wanted` times; the
    rounds and the server's peak RSS (the main process's)."""
    workdir = Path(tempfile.mkdtemp(prefix="alliances-bench-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(workdir, port, server_cpu, database, workers)
    try:
        cookie, _ = sign_up(base)
        module_url = f"{base}/paths/{MODULE_PATH}/{MODULE_ID}"
        check = httpx.get(module_url, headers={"cookie": cookie})
        assert check.status_code == 200 and "Valider mes réponses" in check.text, "not signed in"
        rounds = []
        for number in range(rounds_wanted):
            target = database or workdir / "bench.db"
            lua = submissions_script(workdir, target, number, duration)
            rounds.append(
                {
                    "plaintext": wrk(
                        f"{base}/plaintext", duration, connections, cookie, cpu=wrk_cpu
                    ),
                    "module_page": wrk(module_url, duration, connections, cookie, cpu=wrk_cpu),
                    "quiz_submission": wrk(module_url, duration, connections, cookie, lua, wrk_cpu),
                }
            )
        peak_rss = round(peak_rss_mb(server.pid), 1)
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)
    return rounds, peak_rss


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="measure the three endpoints this many times in turn (a noisy VM needs several)",
    )
    parser.add_argument("--server-cpu", default="0", help="CPU for the server, or 'none'")
    parser.add_argument(
        "--wrk-cpu", help="CPU for wrk, or 'none' (default: another one than the server's)"
    )
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--database", help="an empty PostgreSQL database's URL (default: a fresh SQLite file)"
    )
    args = parser.parse_args()
    server_cpu = None if args.server_cpu == "none" else args.server_cpu
    others = sorted(os.sched_getaffinity(0) - {int(server_cpu)}) if server_cpu else []
    wrk_cpu = args.wrk_cpu or (str(others[0]) if others else "none")
    wrk_cpu = None if wrk_cpu == "none" else wrk_cpu
    print(f"server on CPU {server_cpu or 'any'}, wrk on CPU {wrk_cpu or 'any'}")
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    rounds, peak_rss = measure(
        args.duration, args.connections, args.rounds, server_cpu, wrk_cpu, args.database
    )
    for number, measured in enumerate(rounds, 1):
        if args.rounds > 1:
            print(f"round {number}")
        report(measured)
    if args.rounds > 1:
        print("median of the rounds")
        report(
            {
                name: {
                    key: statistics.median(r[name][key] for r in rounds) for key in rounds[0][name]
                }
                for name in rounds[0]
            }
        )
    results = {"rounds": rounds, "peak_rss_mb": peak_rss}
    print(f"peak RSS: {results['peak_rss_mb']} MB")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


def report(measured: dict[str, dict]) -> None:
    base_rps = measured["plaintext"]["requests_per_s"]
    print(
        f"{'endpoint':<16} {'req/s':>9} {'% plain':>8} {'p50 ms':>8} {'p99 ms':>8}"
        f" {'errors':>7} {'steal':>6}"
    )
    for name in ("plaintext", "module_page", "quiz_submission"):
        r = measured[name]
        share = 100 * r["requests_per_s"] / base_rps
        print(
            f"{name:<16} {r['requests_per_s']:>9.0f} {share:>7.1f}% {r['p50_ms']:>8.2f} "
            f"{r['p99_ms']:>8.2f} {r['errors']:>7.0f} {r['steal_pct']:>5.0f}%"
        )


if __name__ == "__main__":
    sys.exit(main())
