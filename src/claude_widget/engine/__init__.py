"""One request's life: the stream manager and its state machine, turns and history, assembly of content blocks,
continuation after a drop, usage, events, errors and the watchdog. Never imports the widget."""
