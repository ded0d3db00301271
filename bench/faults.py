"""Recovery after each fault: requests sent, time from the fault to the next token, and whether the final text
is exact. Real SDK, fake server, default backoff (0.5 s base, jittered), stall_timeout 1 s for the stalls.

    .venv/bin/python bench/faults.py
"""

from __future__ import annotations

import statistics
import time

from claude_widget import Chat, TextDelta
from claude_widget.fake_server import FakeAnthropic, Script

ANSWER = "Recovery is measured from the fault to the first token of the continuation. " * 20
RUNS = 5
SCENARIOS: dict[str, list[Script]] = {
    "clean stream": [Script(text=ANSWER, delay=0.001)],
    "529 before the stream": [Script(status=529), Script(text=ANSWER, delay=0.001)],
    "429, retry-after 1 s": [Script(status=429, headers={"retry-after": "1"}), Script(text=ANSWER, delay=0.001)],
    "mid-stream error event": [Script(text=ANSWER, delay=0.001, fault="error_event", fault_after=400),
                               Script(text=ANSWER, delay=0.001)],
    "connection dropped": [Script(text=ANSWER, delay=0.001, fault="drop", fault_after=400),
                           Script(text=ANSWER, delay=0.001)],
    "connection reset": [Script(text=ANSWER, delay=0.001, fault="reset", fault_after=400),
                         Script(text=ANSWER, delay=0.001)],
    "early end": [Script(text=ANSWER, delay=0.001, fault="early_end", fault_after=400),
                  Script(text=ANSWER, delay=0.001)],
    "stall (no bytes), 1 s": [Script(text=ANSWER, delay=0.001, fault="stall", fault_after=400),
                              Script(text=ANSWER, delay=0.001)],
    "ping-only stall, 1 s": [Script(text=ANSWER, delay=0.001, fault="ping_stall", fault_after=400,
                                    ping_interval=0.1), Script(text=ANSWER, delay=0.001)],
}  # fmt: skip


def run(scripts: list[Script]) -> tuple[int, float | None, bool]:
    with FakeAnthropic(api_key="bench") as server:
        server.enqueue(*scripts)
        chat = Chat(api_key="bench", base_url=server.url, stall_timeout=1.0)
        manager = chat.stream("bench")
        arrivals: list[float] = []
        manager.subscribe(lambda e: arrivals.append(time.monotonic()) if isinstance(e, TextDelta) else None)
        manager.start()
        text = manager.wait(60)
        requests = server.message_requests()
        recovery = None
        if len(requests) > 1:
            # From the failed response (for a mid-stream fault: its last token) to the next token.
            before = [t for t in arrivals if t <= requests[1].received_at]
            fault_at = before[-1] if before else (requests[0].finished_at or requests[0].received_at)
            after = [t for t in arrivals if t > requests[-1].received_at]
            recovery = (after[0] - fault_at) * 1000 if after else None
        return len(requests), recovery, text == ANSWER


def main() -> None:
    print("| scenario | requests sent | recovery p50 (ms) | max (ms) | exact text |")
    print("|---|---:|---:|---:|---|")
    for name, scripts in SCENARIOS.items():
        results = [run(scripts) for _ in range(RUNS)]
        recoveries = [r for _, r, _ in results if r is not None]
        p50 = f"{statistics.median(recoveries):.0f}" if recoveries else "–"
        worst = f"{max(recoveries):.0f}" if recoveries else "–"
        exact = all(ok for _, _, ok in results)
        print(f"| {name} | {results[0][0]} | {p50} | {worst} | {'yes' if exact else 'NO'} |")


if __name__ == "__main__":
    main()
