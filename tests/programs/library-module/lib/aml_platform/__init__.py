"""The team's shared building blocks for Azure ML workspaces, used by every stack."""
