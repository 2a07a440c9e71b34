"""The ceiling: the measured endpoints' SQL and JSON with as little framework as possible.

A bare Starlette app over asyncpg and orjson, serving the same queries over the
project's schema as the service and answering the same JSON bodies. The benchmark
reports the service's figures as ratios of this app's, measured in the same run.
"""
