"""Rules on Azure ML asset versions (data, code, environments, models, components, feature store
entities), in workspaces and in registries: each version is explicit and named, so jobs can pin it.
Featureset versions have their own family (``policies.featureset``); environment images are
judged with the jobs that run them (``policies.jobs.environment_image``)."""
