"""The benchmark harness: the service against a bare ceiling app under wrk.

Run it with `python -m benchmarks` (or `task bench`); see docs/benchmarks.md.
"""
