"""Regenerates the recordings shipped in src/claude_widget/recordings/ (run from the repository root):

    .venv/bin/python scripts/make_recordings.py

They are recorded through the real SDK from the fake server, then given synthetic timing modelled on real
streams (first token after ~0.8 s, ~70 tokens per second with jitter, short pauses between paragraphs), so
offline demos look like Claude typing. They are labelled synthetic; record a real answer with
`Chat(record=True)` and `w.save_recording(path)`.
"""

from __future__ import annotations

import random
from pathlib import Path

from claude_widget import Chat
from claude_widget.engine.record import recording_of, save
from claude_widget.fake_server import FakeAnthropic, Script
from claude_widget.fake_server.demo import SSE_ANSWER

PANDAS_ANSWER = r"""Here is how to **group and summarise** a DataFrame with pandas:

```python
import pandas as pd

sales = pd.DataFrame({
    "region": ["north", "south", "north", "east", "south"],
    "units": [12, 7, 3, 9, 14],
    "price": [2.5, 3.0, 2.5, 4.0, 3.0],
})
sales["revenue"] = sales["units"] * sales["price"]
summary = sales.groupby("region").agg(units=("units", "sum"), revenue=("revenue", "sum"))
print(summary.sort_values("revenue", ascending=False))
```

| region | units | revenue |
|:--|--:|--:|
| south | 21 | 63.0 |
| north | 15 | 37.5 |
| east | 9 | 36.0 |

The mean revenue per unit is $\bar{r} = \frac{\sum_i u_i p_i}{\sum_i u_i} \approx 3.02$.

- `groupby` splits the rows by region;
- `agg` with named aggregations gives readable column names;
- `sort_values` orders the result.
"""

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "claude_widget" / "recordings"


def realistic(events: list, seed: int) -> list:
    """Re-time events like a real stream: ~0.45 s to the first byte, ~0.8 s to the first token, ~70 tokens/s."""
    rng = random.Random(seed)
    t, timed = 0.45, []
    for _, name, data in events:
        if name == "content_block_delta":
            text = data.get("delta", {}).get("text", "")
            t += rng.uniform(0.008, 0.022) + (rng.uniform(0.15, 0.4) if "\n\n" in text else 0)
        elif name == "content_block_start":
            t += 0.35
        else:
            t += 0.002
        timed.append([round(t, 4), name, data])
    return timed


def main() -> None:
    with FakeAnthropic(api_key="record") as server:
        chat = Chat(api_key="record", base_url=server.url, record=True)
        for seed, (name, prompt, text) in enumerate([
            ("sse-explained", "Explain server-sent events", SSE_ANSWER),
            ("pandas-groupby", "How do I group and summarise a DataFrame with pandas?", PANDAS_ANSWER),
        ]):  # fmt: skip
            server.enqueue(Script(text=text, chunk_size=4))
            widget = chat.send(prompt)
            widget.wait(30)
            recording = recording_of(widget.manager)
            recording["messages"] = [{"role": "user", "content": prompt}]
            recording["synthetic"] = True
            recording["responses"] = [{"events": realistic(r["events"], seed)} for r in recording["responses"]]
            print(save(recording, OUT / f"{name}.json"))
            chat.reset()


if __name__ == "__main__":
    main()
