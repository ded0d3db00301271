"""Facts of the Messages API, written once: models and their limits, prices, token counts, media headers and
request limits. Pure: no I/O. The fake server imports only this subpackage."""
