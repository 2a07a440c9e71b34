"""Business features, one package each (model, repository, service, exceptions)."""
