"""`chat.map` against a rate limit, with its baselines, in one run. The fake server runs in a process of its own,
limited to L streams at once, each taking T seconds (so the ideal is L / T items a second).

1. Throughput as a share of L / T, and 429s as a share of requests, for 1,000 items: `chat.map`, a naive
   `asyncio.gather` over every item (the SDK's own retries), and a plain loop (measured on 20 items).
2. In a real kernel (jupyter_client), the same job shown as its widget: how long `1 + 1` takes meanwhile, and how
   many messages a second the job's widget sends to the front end. Then a 100,000-item job against a fast server,
   for 30 seconds, then Stop.
3. Kernel memory per item: the process's resident memory before and after a job of many fast items.

    .venv/bin/python bench/map.py [items]
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import anthropic
from jupyter_client.manager import start_new_kernel

from claude_widget import Chat
from claude_widget.fake_server import FakeAnthropic, Script
from claude_widget.fake_server.limits import RateLimits

sys.path.insert(0, str(Path(__file__).parent))
from kernel import IOPubCounter

KEY = "bench-key"
L, T = 16, 1.0  # a short answer takes about a second
ITEMS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000
MEMORY_ITEMS = 20_000
ASK = {"model": "claude-sonnet-5-5", "max_tokens": 20, "messages": [{"role": "user", "content": "label this"}]}


def serve(conn: Any, concurrent: int | None, seconds: float) -> None:
    """The fake server, in a child process: commands over the pipe reset or report its counters."""
    limits = RateLimits(concurrent=concurrent)
    with FakeAnthropic(responder=lambda body: Script(text="positive", first_delay=seconds), limits=limits) as server:
        conn.send(server.url)
        while (command := conn.recv()) != "stop":
            limiter = server.limiter
            if command == "reset":
                limiter.admitted = limiter.refused = limiter.most_in_flight = 0
            conn.send((limiter.admitted, limiter.refused, limiter.most_in_flight))


class Server:
    def __init__(self, concurrent: int | None = L, seconds: float = T) -> None:
        self.conn, child = multiprocessing.Pipe()
        self.process = multiprocessing.Process(target=serve, args=(child, concurrent, seconds), daemon=True)
        self.process.start()
        self.url: str = self.conn.recv()

    def counters(self, reset: bool = False) -> tuple[int, int, int]:
        self.conn.send("reset" if reset else "report")
        admitted, refused, most = self.conn.recv()
        return admitted, refused, most

    def close(self) -> None:
        self.conn.send("stop")
        self.process.join(10)


def report(name: str, items: int, elapsed: float, server: Server, failed: int = 0) -> None:
    """A row of the table: answers (not failures) a second, against the ideal."""
    admitted, refused, most = server.counters()
    answered = (items - failed) / elapsed
    print(f"| {name} | {items:,} | {elapsed:.1f} s | {answered:.1f} | {answered / (L / T):.0%} | "
          f"{refused / max(1, admitted + refused):.1%} | {failed:,} | {most} |")  # fmt: skip


def naive_gather(url: str, items: int) -> tuple[float, int]:
    async def one(client: anthropic.AsyncAnthropic) -> bool:
        try:
            async with client.messages.stream(**ASK) as stream:  # type: ignore[arg-type]
                await stream.get_final_text()
            return True
        except anthropic.APIError:
            return False

    async def run() -> tuple[float, int]:
        async with anthropic.AsyncAnthropic(api_key=KEY, base_url=url) as client:  # the SDK's 2 retries, its backoff
            started = time.monotonic()
            done = await asyncio.gather(*(one(client) for _ in range(items)))
            return time.monotonic() - started, done.count(False)

    return asyncio.run(run())


def sequential(url: str, items: int) -> float:
    client = anthropic.Anthropic(api_key=KEY, base_url=url)
    started = time.monotonic()
    for _ in range(items):
        with client.messages.stream(**ASK) as stream:  # type: ignore[arg-type]
            stream.get_final_text()
    return time.monotonic() - started


def throughput() -> None:
    print(f"## Throughput: {ITEMS:,} items, the server allowing {L} streams at once, {T} s each "
          f"(ideal {L / T:.0f} items/s)\n")  # fmt: skip
    print("| method | items | time | answers/s | of ideal | 429s / requests | failed | most at once |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    server = Server()
    try:
        server.counters(reset=True)
        started = time.monotonic()
        job = Chat(api_key=KEY, base_url=server.url, max_tokens=20).map([f"review {i}" for i in range(ITEMS)])
        job.wait()
        report("chat.map", ITEMS, time.monotonic() - started, server, job.counts()["failed"])
        server.counters(reset=True)
        elapsed, failed = naive_gather(server.url, ITEMS)
        report("naive asyncio.gather", ITEMS, elapsed, server, failed)
        server.counters(reset=True)
        report("plain loop", 20, sequential(server.url, 20), server)
    finally:
        server.close()


def run_cell(kc: Any, code: str) -> str:
    out: list[str] = []
    reply = kc.execute_interactive(code, timeout=600, output_hook=lambda m: out.append(m["content"].get("text", ""))
                                   if m["msg_type"] == "stream" else None)  # fmt: skip
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"cell failed: {code}")
    return "".join(out)


def in_a_kernel(items: int, concurrent: int | None, seconds: float, sample: float | None = None) -> None:
    """A job of `items` shown in a real kernel: `1 + 1` meanwhile, and the messages to the front end. With
    `sample`, the job is stopped after that many seconds."""
    limit = f"{concurrent} streams at once, {seconds} s each" if concurrent else "no limit, no delay"
    print(f"\n## In a kernel: {items:,} items shown as the job's widget ({limit})\n")
    server = Server(concurrent, seconds)
    km, kc = start_new_kernel(kernel_name="python3", env={**os.environ, "JPY_SESSION_NAME": "bench.ipynb"})
    counter = IOPubCounter(km, kc.session)
    counter.follow = False  # no answers here: only the job's widget
    try:
        run_cell(kc, f"from claude_widget import Chat\nfrom IPython.display import display\n"
                     f"chat = Chat(api_key={KEY!r}, base_url={server.url!r}, max_tokens=20)")  # fmt: skip
        started = time.monotonic()
        run_cell(kc, f"job = chat.map([f'review {{i}}' for i in range({items})])\ndisplay(job)")
        made = time.monotonic() - started
        latencies = []
        while run_cell(kc, "print(job.done)").strip() != "True":
            if sample is not None and time.monotonic() - started > sample:
                t0 = time.monotonic()
                run_cell(kc, "job.stop(); job.wait(); print(job.counts())")
                print(f"Stop after {sample:.0f} s: the job ended {(time.monotonic() - t0) * 1000:.0f} ms later")
                break
            t0 = time.monotonic()
            run_cell(kc, "1 + 1")
            latencies.append((time.monotonic() - t0) * 1000)
            time.sleep(0.1)
        elapsed = time.monotonic() - started
        done = int(run_cell(kc, "print(job.counts()['done'])"))
        messages = [t for t, kind in counter.arrivals if kind == "comm_msg" and started <= t <= started + elapsed]
        per_second = [sum(1 for t in messages if s <= t - started < s + 1) for s in range(int(elapsed))]
        latencies.sort()
        print(f"making the job and showing it: {made:.2f} s; {done:,} items done in {elapsed:.1f} s")
        print(f"`1 + 1` answered in p50 {statistics.median(latencies):.1f} ms, p95 "
              f"{latencies[round(0.95 * (len(latencies) - 1))]:.1f} ms, max {latencies[-1]:.1f} ms "
              f"({len(latencies)} cells while the job ran)")  # fmt: skip
        print(f"front-end messages: {len(messages):,} in all, {len(messages) / elapsed:.1f} a second on average, "
              f"at most {max(per_second, default=0)} in one second (the widget's, and the kernel's own)")  # fmt: skip
    finally:
        counter.close()
        km.shutdown_kernel(now=True)
        server.close()


def resident() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def memory() -> None:
    print(f"\n## Kernel memory per item: {MEMORY_ITEMS:,} fast items (no limit, no delay)\n")
    server = Server(concurrent=None, seconds=0.0)
    try:
        chat = Chat(api_key=KEY, base_url=server.url, max_tokens=20)
        chat.map(["warm up"] * 50).wait()
        before = resident()
        started = time.monotonic()
        job = chat.map([f"review {i}" for i in range(MEMORY_ITEMS)], concurrency=64)
        job.wait()
        elapsed = time.monotonic() - started
        after = resident()
        print(f"{(after - before) / MEMORY_ITEMS:,.0f} bytes of resident memory per item "
              f"({(after - before) / 1e6:.1f} MB for {MEMORY_ITEMS:,}, results and usage kept; "
              f"{MEMORY_ITEMS / elapsed:.0f} items/s)")  # fmt: skip
    finally:
        server.close()


if __name__ == "__main__":
    throughput()
    in_a_kernel(ITEMS, L, T)
    in_a_kernel(100_000, None, 0.0, sample=30)
    memory()
