"""Reads the shared network stack's outputs and groups what this team deploys into a component."""

import pulumi


class TeamSpace(pulumi.ComponentResource):
    def __init__(self, name: str, subnet_id: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("acme:ml:TeamSpace", name, None, opts)
        self.subnet_id = pulumi.Output.from_input(subnet_id)
        self.register_outputs({"subnetId": self.subnet_id})


config = pulumi.Config()
network = pulumi.StackReference(config.require("networkStack"))
subnet_id = network.get_output("trainingSubnetId")

team = TeamSpace("fraud-team", subnet_id)

pulumi.export("subnet_known", subnet_id.apply(lambda value: value is not None))
pulumi.export("pulumi_stack", pulumi.get_stack())
