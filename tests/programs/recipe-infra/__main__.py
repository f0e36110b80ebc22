"""A memorable, unique name for a training workspace, generated once and exported."""

import pulumi
import pulumi_random as random

name = random.RandomPet("workspace-name", length=2, prefix="train")

pulumi.export("workspace_name", name.id)
