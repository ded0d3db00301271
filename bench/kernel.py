"""Kernel-side figures in a real IPython kernel (jupyter_client), with their baselines, in one run:

1. Wire: raw IOPub frames and bytes from kernel to browser per answer (1k, 10k, 50k characters, at full speed),
   for claude-widget and three baselines: a synced text trait set per delta, one custom message per delta, and
   re-displaying the whole markdown per delta (`update_display`). Plus messages per second at a realistic pace.
2. Kernel CPU for a 50k answer against the bare SDK reading the same stream (the floor).
3. 20 concurrent streams: how long a `1 + 1` cell takes to answer meanwhile.
4. Time to first token: claude-widget vs the bare SDK against the same server.
5. A pure-Python loop in a cell while an answer streams (200 deltas/s): its iterations per second against the
   same loop in an idle kernel (the stream runs on a thread of its own and shares the GIL with the cell).

    .venv/bin/python bench/kernel.py
"""

from __future__ import annotations

import json
import multiprocessing
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

import zmq
from jupyter_client.manager import start_new_kernel

from claude_widget.fake_server import FakeAnthropic, Script

sys.path.insert(0, str(Path(__file__).parent))
from corpus import answer_text as answer

KEY = "bench-key"


class IOPubCounter:
    """Counts every raw IOPub frame and byte the kernel publishes, from a socket of its own.

    With `follow` set it also plays the front end's part that changes what the kernel sends: each new ChatWidget
    model tells the kernel it follows the deltas, as the widget's JavaScript does in JupyterLab.
    """

    def __init__(self, km: Any, session: Any) -> None:
        self.socket = km.connect_iopub()
        self.socket.setsockopt(zmq.SUBSCRIBE, b"")
        self.shell = km.connect_shell()  # a socket of this thread's own: zmq sockets are not thread-safe
        self.session = session
        self.follow = True
        self.messages = self.bytes = 0
        self.arrivals: list[tuple[float, str]] = []  # (monotonic time, msg_type) of each message
        self.types: dict[str, int] = {}
        self.type_bytes: dict[str, int] = {}
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        poller = zmq.Poller()
        poller.register(self.socket, zmq.POLLIN)
        while not self._stop:
            if poller.poll(100):
                frames = self.socket.recv_multipart()
                self.messages += 1
                self.bytes += sum(len(f) for f in frames)
                try:
                    start = frames.index(b"<IDS|MSG>")
                    header = json.loads(frames[start + 2])
                    self.arrivals.append((time.monotonic(), header["msg_type"]))
                    self.types[header["msg_type"]] = self.types.get(header["msg_type"], 0) + 1
                    size = sum(len(f) for f in frames)
                    self.type_bytes[header["msg_type"]] = self.type_bytes.get(header["msg_type"], 0) + size
                    if header["msg_type"] == "comm_open" and self.follow:
                        self._follow(json.loads(frames[start + 5]))
                except (ValueError, KeyError, IndexError):
                    pass

    def _follow(self, content: dict[str, Any]) -> None:
        if "assets" in content.get("data", {}).get("state", {}):  # a ChatWidget (not its shared assets)
            message = {"method": "custom", "content": {"intent": "follow", "deflate": True}}
            self.session.send(self.shell, "comm_msg", {"comm_id": content["comm_id"], "data": message})

    def window(self) -> tuple[int, int]:
        return self.messages, self.bytes

    def close(self) -> None:
        self._stop = True
        self.thread.join()
        self.socket.close()
        self.shell.close()


SETUP = """
import asyncio, time, anthropic, ipywidgets, traitlets
from IPython.display import display, Markdown, update_display
from claude_widget import Chat
chat = Chat(api_key={key!r}, base_url={url!r})
client = anthropic.AsyncAnthropic(api_key={key!r}, base_url={url!r}, max_retries=0)
class Box(ipywidgets.DOMWidget):
    text = traitlets.Unicode("").tag(sync=True)
async def sdk_deltas():
    async with client.messages.stream(model="claude-sonnet-5-5", max_tokens=64000,
                                      messages=[{{"role": "user", "content": "bench"}}]) as s:
        async for e in s:
            if e.type == "content_block_delta":
                yield e.delta.text
"""

CLAUDE_WIDGET = "w = chat.send('bench'); display(w); text = await w"
METHODS = {
    "claude-widget": CLAUDE_WIDGET,
    "claude-widget, no front end following": CLAUDE_WIDGET,
    "trait per delta": "b = Box(); display(b)\nasync for d in sdk_deltas():\n    b.text += d",
    "custom message per delta": "b = Box(); display(b)\nasync for d in sdk_deltas():\n    b.send({'t': d})",
    "update_display per delta": (
        "h = display(Markdown(''), display_id=True); acc = ''\n"
        "async for d in sdk_deltas():\n    acc += d\n    h.update(Markdown(acc))"
    ),
    "bare SDK (floor)": "async for d in sdk_deltas():\n    pass",
}


def serve_in_a_child(conn: Any, text: str) -> None:
    """A fake server in a process of its own, so that serving 20 fast streams does not slow this process (which
    times the `1 + 1` cells) down."""
    with FakeAnthropic(api_key=KEY, responder=lambda body: Script(text=text, chunk_size=4, delay=0.002)) as server:
        conn.send(server.url)
        conn.recv()  # until the bench is done with it


def run(kc: Any, code: str, timeout: float = 600) -> dict[str, Any]:
    outputs: list[str] = []

    def hook(msg: dict[str, Any]) -> None:
        if msg["msg_type"] == "stream":
            outputs.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            outputs.append("ERROR " + "\n".join(msg["content"]["traceback"][-3:]))

    reply = kc.execute_interactive(code, timeout=timeout, output_hook=hook)
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"cell failed: {code}\n{''.join(outputs)}")
    return {"stdout": "".join(outputs)}


def measure_cpu(kc: Any, code: str) -> float:
    out = run(kc, "import time as _t; _c0 = _t.process_time()\n" + code + "\nprint(_t.process_time() - _c0)")
    return float(out["stdout"].split()[-1])


def main() -> None:
    with FakeAnthropic(api_key=KEY) as server:
        # As JupyterLab's server starts a kernel: its cells return while answers stream (not headless).
        km, kc = start_new_kernel(kernel_name="python3", env={**os.environ, "JPY_SESSION_NAME": "bench.ipynb"})
        counter = IOPubCounter(km, kc.session)
        try:
            run(kc, SETUP.format(key=KEY, url=server.url))
            print("## Wire: IOPub frames and bytes per answer (full speed)\n")
            print("| answer | method | IOPub messages | IOPub bytes | bytes / answer | kernel CPU (s) |")
            print("|---:|---|---:|---:|---:|---:|")
            cpu_50k: dict[str, float] = {}
            for size in (1_000, 10_000, 50_000):
                for name, code in METHODS.items():
                    if name == "update_display per delta" and size > 10_000:
                        # Quadratic: measured at 10k; the reference measured 331 MB and 12,499 messages at 50k.
                        continue
                    server.enqueue(Script(text=answer(size), chunk_size=4))
                    time.sleep(0.3)
                    counter.follow = name != "claude-widget, no front end following"  # nbclient, say
                    m0, b0 = counter.window()
                    cpu = measure_cpu(kc, code)
                    time.sleep(0.5)
                    m1, b1 = counter.window()
                    counter.follow = True
                    if size == 50_000:
                        cpu_50k[name] = cpu
                    print(f"| {size:,} | {name} | {m1 - m0:,} | {b1 - b0:,} | {(b1 - b0) / size:.1f}x | {cpu:.2f} |")

            print("\n## Messages per second at a realistic pace (10k answer, 200 deltas/s)\n")
            server.enqueue(Script(text=answer(10_000), chunk_size=4, delay=0.005))
            time.sleep(0.3)
            m0, b0 = counter.window()
            started = time.monotonic()
            run(kc, METHODS["claude-widget"])
            elapsed = time.monotonic() - started
            m1, b1 = counter.window()
            print(
                f"claude-widget: {m1 - m0} IOPub messages in {elapsed:.1f} s = {(m1 - m0) / elapsed:.0f} per second; "
                f"{(b1 - b0) / 10_000:.1f}x the answer in bytes"
            )

            ratio = cpu_50k["claude-widget"] / cpu_50k["bare SDK (floor)"]
            print(
                f"\n## Kernel CPU, 50k answer: claude-widget {cpu_50k['claude-widget']:.2f} s, bare SDK "
                f"{cpu_50k['bare SDK (floor)']:.2f} s: {ratio:.2f}x the floor"
            )

            print("\n## 20 concurrent streams: a `1 + 1` cell meanwhile\n")
            bench_end, child_end = multiprocessing.Pipe()
            child = multiprocessing.Process(target=serve_in_a_child, args=(child_end, answer(20_000)), daemon=True)
            child.start()
            url = bench_end.recv()
            run(kc, f"chats = [Chat(api_key={KEY!r}, base_url={url!r}) for _ in range(20)]\n"
                    "ws = [c.send('bench') for c in chats]")  # fmt: skip
            latencies = []
            for _ in range(30):
                time.sleep(0.1)
                t0 = time.monotonic()
                run(kc, "1 + 1")
                latencies.append((time.monotonic() - t0) * 1000)
            out = run(kc, "streaming = sum(w.status == 'streaming' for w in ws); await asyncio.gather(*ws)\n"
                          "print(streaming, sum(w.status == 'done' for w in ws))")  # fmt: skip
            bench_end.send("done")
            child.join()
            latencies.sort()
            print(
                f"`1 + 1` answered in p50 {statistics.median(latencies):.1f} ms, p95 "
                f"{latencies[round(0.95 * (len(latencies) - 1))]:.1f} ms, max {latencies[-1]:.1f} ms (30 cells while "
                f"20 streams ran; streaming / done at the end: {out['stdout'].strip()})"
            )

            print("\n## Time to first token: claude-widget vs the bare SDK (same server, 20 runs each)\n")
            ttft_ours, ttft_sdk = [], []
            for _ in range(20):
                server.enqueue(Script(text="hello world", chunk_size=4), Script(text="hello world", chunk_size=4))
                out = run(kc, "w = chat.send('t'); await w; print(w.timings['first_token'])")
                ttft_ours.append(float(out["stdout"].split()[-1]) * 1000)
                out = run(
                    kc, "_t0 = time.monotonic()\nasync for d in sdk_deltas():\n    print(time.monotonic() - _t0); break"
                )
                ttft_sdk.append(float(out["stdout"].split()[0]) * 1000)
            ours, sdk = statistics.median(ttft_ours), statistics.median(ttft_sdk)
            print(f"claude-widget p50 {ours:.2f} ms, bare SDK p50 {sdk:.2f} ms: {ours - sdk:+.2f} ms")

            print("\n## A pure-Python loop while an answer streams (200 deltas/s), 3 s each, 3 pairs\n")
            loop = "n, end = 0, time.monotonic() + 3\nwhile time.monotonic() < end:\n    n += 1\nprint(n / 3)"
            ratios = []
            for _ in range(3):
                idle = float(run(kc, loop)["stdout"])
                server.enqueue(Script(text=answer(10_000), chunk_size=4, delay=0.005))
                run(kc, "w = chat.send('busy')\nwhile w.status != 'streaming':\n    time.sleep(0.01)")
                streaming = float(run(kc, loop)["stdout"])
                print(run(kc, "w.stop(); print(w.status)")["stdout"].strip(), end=" ")
                ratios.append(streaming / idle)
            print(f"\n\nthe loop runs at {statistics.median(ratios):.0%} of its idle speed while the answer streams "
                  f"(pairs: {', '.join(f'{r:.0%}' for r in ratios)})")  # fmt: skip
        finally:
            counter.close()
            kc.stop_channels()
            km.shutdown_kernel(now=True)


if __name__ == "__main__":
    main()
