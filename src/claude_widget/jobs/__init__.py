"""`chat.map`: one question per item, streamed with bounded concurrency or sent through the Batches API."""
