"""`python -m claude_widget.fake_server`: run the fake Anthropic API on loopback until Ctrl-C."""

from __future__ import annotations

import argparse
import time

from .demo import demo_responder
from .server import FakeAnthropic


def main() -> None:
    parser = argparse.ArgumentParser(description="A fake Anthropic Messages API speaking the exact SSE format.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    server = FakeAnthropic(args.host, args.port, responder=demo_responder).start()
    print(f"Fake Anthropic API listening on {server.url}", flush=True)
    print(f"  export ANTHROPIC_BASE_URL={server.url} ANTHROPIC_API_KEY=fake-key", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
