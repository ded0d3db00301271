"""Stop to socket closed, as the fake server sees it: `w.stop()` from another thread (as the comm handler may
run) to the server's read returning EOF. The browser test measures the same from a real Stop click.

    .venv/bin/python bench/stop.py
"""

from __future__ import annotations

import statistics
import threading
import time

from claude_widget import Chat
from claude_widget.fake_server import FakeAnthropic, Script

RUNS = 30


def main() -> None:
    latencies: list[float] = []
    with FakeAnthropic(api_key="bench") as server:
        chat = Chat(api_key="bench", base_url=server.url)
        for _ in range(RUNS):
            server.enqueue(Script(text="token " * 5000, delay=0.005))
            widget = chat.send("bench")
            while len(widget.manager.text) < 100:
                time.sleep(0.002)
            request = server.message_requests()[-1]
            stopped_at = time.monotonic()
            threading.Thread(target=widget.stop).start()
            request.done.wait(5)
            assert request.client_closed_at is not None
            latencies.append((request.client_closed_at - stopped_at) * 1000)
            widget.wait(5)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))]
    print(
        f"stop() to socket closed over {RUNS} runs: p50 {statistics.median(latencies):.2f} ms, "
        f"p99 {p99:.2f} ms, max {latencies[-1]:.2f} ms"
    )


if __name__ == "__main__":
    main()
