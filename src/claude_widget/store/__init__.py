"""The answer store: every answer kept by its request's fingerprint, replayed at $0, and listed as a ledger."""
