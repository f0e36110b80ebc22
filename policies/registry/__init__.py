"""Rules for Azure ML registries (shared models, environments, components and data)."""
