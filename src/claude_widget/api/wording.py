"""The API's own words where the client must recognise them: the fake server says them, the client looks for them."""

PREFILL_REJECTED = (
    "This model does not support assistant message prefill. The conversation must end with a user message."
)
PREFILL_REJECTED_MARKER = "does not support assistant message prefill"  # the part the client looks for
