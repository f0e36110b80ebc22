"""Rules on Azure ML workspaces (every kind: Default, Hub, Project, FeatureStore), in azure-native
and the classic provider: SKU, identity, network access, private endpoints, encryption and
high-business-impact data."""
