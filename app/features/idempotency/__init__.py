"""Idempotency keys: a retried creating request gets the first response, not a twin."""
