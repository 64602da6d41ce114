"""The load generator's pieces: a lean HTTP/1.1 client, percentiles, CPU use.

Why not httpx: on this machine httpx spends about 0.9 ms of CPU per request
(26 KB module page, then a submission), as much as the server itself; two cores
shared by a server, PostgreSQL and a load generator cannot afford it. This
client writes the request bytes itself and reads the answer by Content-Length
(or chunks): about 0.06 ms per request, so the server, not the load generator,
is what is measured. It speaks only what the benches send (GET and form POSTs
over keep-alive connections on loopback), not HTTP in general.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from pathlib import Path

from bench.bench_server import _cpu_ticks, _steal_percent
from server.slow_clients import KEEP_ALIVE_TIMEOUT

FORM = "application/x-www-form-urlencoded"


class Connection:
    """One keep-alive connection, as one browser tab holds it."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.last_used = time.monotonic()
        self.reusable = True

    @classmethod
    async def open(cls, port: int, host: str = "127.0.0.1") -> Connection:
        return cls(*await asyncio.open_connection(host, port, limit=1 << 20))

    @property
    def client_port(self) -> int:
        """This end's port: the server side of /proc/net/tcp names it as the remote one."""
        return int(self.writer.get_extra_info("sockname")[1])

    async def request(self, method: str, target: str, cookie: str, body: str = "") -> int:
        """Send one request and read its whole answer; its status.

        Raises OSError or asyncio.IncompleteReadError when the server goes away:
        the connection is then unusable.
        """
        self.reusable = False  # until the answer is read in full
        head = f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n"
        data = body.encode()
        if method == "POST":
            head += f"Content-Type: {FORM}\r\nContent-Length: {len(data)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + data)
        header = (await self.reader.readuntil(b"\r\n\r\n")).lower()
        status = int(header[9:12])
        start = header.find(b"\r\ncontent-length:")
        if start >= 0:
            await self.reader.readexactly(
                int(header[start + 17 : header.index(b"\r\n", start + 2)])
            )
        elif b"\r\ntransfer-encoding: chunked" in header:
            while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
                await self.reader.readexactly(size + 2)
            await self.reader.readexactly(2)
        self.reusable = b"\r\nconnection: close" not in header
        self.last_used = time.monotonic()
        return status

    def close(self) -> None:
        self.reusable = False
        self.writer.close()


class Pool:
    """Idle keep-alive connections shared by the simulated learners, as a reverse proxy
    keeps them to its upstream: a learner takes one or opens a new one, never waits."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.idle: list[Connection] = []
        self.opened = 0

    async def take(self) -> Connection:
        # The server closes a connection idle for KEEP_ALIVE_TIMEOUT s: leave those.
        fresh = time.monotonic() - (KEEP_ALIVE_TIMEOUT - 1)
        while self.idle:
            connection = self.idle.pop()
            if connection.last_used > fresh and not connection.reader.at_eof():
                return connection
            connection.close()
        self.opened += 1
        return await Connection.open(self.port)

    def give_back(self, connection: Connection) -> None:
        if connection.reusable:
            self.idle.append(connection)
        else:
            connection.close()

    def close(self) -> None:
        for connection in self.idle:
            connection.close()
        self.idle.clear()


def percentiles(latencies_ms: list[float]) -> dict[str, float]:
    """p50, p95 and p99 in milliseconds (0 when fewer than two values)."""
    if len(latencies_ms) < 2:
        value = round(latencies_ms[0], 1) if latencies_ms else 0.0
        return {"p50_ms": value, "p95_ms": value, "p99_ms": value}
    cuts = statistics.quantiles(latencies_ms, n=100, method="inclusive")
    return {
        "p50_ms": round(cuts[49], 1),
        "p95_ms": round(cuts[94], 1),
        "p99_ms": round(cuts[98], 1),
    }


class Usage:
    """CPU used meanwhile by this process, the server's processes and the whole machine."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self.wall, self.own = time.monotonic(), time.process_time()
        self.server = process_tree_cpu_seconds(server_pid)
        self.ticks = _cpu_ticks()

    def stop(self) -> dict[str, float]:
        wall = time.monotonic() - self.wall
        ticks = _cpu_ticks()
        spent = [b - a for a, b in zip(self.ticks, ticks, strict=True)]
        idle = spent[3] + spent[4]
        server = process_tree_cpu_seconds(self.server_pid) - self.server
        return {
            "loadgen_cpu_pct": round(100 * (time.process_time() - self.own) / wall, 1),
            "server_cpu_pct": round(100 * server / wall, 1),
            "machine_busy_pct": round(100 * (1 - idle / max(sum(spent), 1)), 1),
            "steal_pct": _steal_percent(self.ticks, ticks),
        }


def process_tree_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its live children (the server's workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for each in [pid, *children(pid)]:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue  # a worker that just died
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def children(pid: int) -> list[int]:
    try:
        listed = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except FileNotFoundError:
        return []
    return [int(child) for child in listed.split()]
