"""Contract fuzzing: the server, run in process, answers as its OpenAPI document says."""
