from __future__ import annotations

from collections.abc import Iterator

import anthropic
import pytest

from claude_widget.fake_server import FakeAnthropic

TEST_KEY = "sk-ant-test-0123456789-secret"


@pytest.fixture
def server() -> Iterator[FakeAnthropic]:
    with FakeAnthropic(api_key=TEST_KEY) as fake:
        yield fake


@pytest.fixture
def client(server: FakeAnthropic) -> anthropic.AsyncAnthropic:
    return anthropic.AsyncAnthropic(api_key=TEST_KEY, base_url=server.url, max_retries=0)
