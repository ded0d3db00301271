"""A question about a DataFrame in JupyterLab: the counter shows the estimate of the input as the request leaves,
then the exact figures; a follow-up shows the tokens read from the prompt cache and what that saved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from claude_widget.fake_server import Script

from .conftest import open_notebook, run_all_cells, served

pytestmark = pytest.mark.browser

CELLS = (
    "import numpy as np, pandas as pd\nfrom claude_widget import Chat\nchat = Chat()\n"
    "df = pd.DataFrame({f'column_{i}': np.arange(400) * i for i in range(40)})",
    "first = chat.send('What stands out?', df)\nfirst",
    "await first\nsecond = chat.send('And column_3?')\nsecond",
)


def test_the_counter_estimates_the_input_then_shows_cache_reads_and_the_saving(tmp_path: Path, page: Any) -> None:
    # A second before message_start: the estimate shows until the exact count comes.
    scripts = (Script(text="First answer.", start_delay=1.0), Script(text="Second answer.", start_delay=1.0))
    with served("lab", tmp_path, *scripts) as lab:
        lab.add_notebook("data.ipynb", *CELLS)
        open_notebook(page, lab, "data.ipynb")
        labels: list[str] = []
        page.expose_function("seen", lambda label: labels.append(label))
        page.evaluate("""() => new MutationObserver(() => {
            for (const el of document.querySelectorAll('[data-role=tokens]')) window.seen(el.textContent);
        }).observe(document.body, {subtree: true, childList: true, characterData: true})""")
        run_all_cells(page)
        page.wait_for_function("() => document.querySelectorAll('.cw-root[data-status=done]').length === 2",
                               timeout=60_000)  # fmt: skip
        first, second = (page.locator("[data-role=tokens]").nth(i).inner_text() for i in range(2))
    assert any(label.startswith("~") and " in · " in label for label in labels)  # the estimate, before the count
    assert " cache write · " in first and "saved" not in first
    assert " cache read · " in second and " · saved $" in second
