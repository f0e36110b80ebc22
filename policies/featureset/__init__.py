"""Rules on feature store featureset versions: pinned to the data version they were built from,
resolving to a data version the stack declares, and materialised on approved compute."""
