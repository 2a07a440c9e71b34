"""HTTP routers, one package per API version."""
