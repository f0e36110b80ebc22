"""Stack exports of every kind, for what the gate records each one is (policy_gate/runner/exports.py):
a resource's own names and ids (``name``, ``id``, the resource itself, a component's attribute that is
its child's name) and everything else (another output of a resource, an id the registration marks
secret, an apply, ``Output.all``, a secret, a structure, a plain value)."""

import pulumi


class Thing(pulumi.CustomResource):
    def __init__(self, name: str) -> None:
        super().__init__("acme:index:Thing", name, {"name": None, "endpoint": None, "secret_id": None},
                         pulumi.ResourceOptions(additional_secret_outputs=["secret_id"]))


class Team(pulumi.ComponentResource):
    def __init__(self, name: str, thing: Thing) -> None:
        super().__init__("acme:index:Team", name, None)
        self.thing_name = thing.name
        self.register_outputs({})


a, b = Thing("a"), Thing("b")
pulumi.export("own_name", a.name)
pulumi.export("own_id", a.id)
pulumi.export("whole", a)
pulumi.export("via_component", Team("team", b).thing_name)
pulumi.export("secret_output", a.secret_id)
pulumi.export("other_output", a.endpoint)
pulumi.export("applied", a.name.apply(lambda name: f"{name}-x"))
pulumi.export("combined", pulumi.Output.all(a.name, b.name).apply(lambda names: "-".join(map(str, names))))
pulumi.export("made_secret", pulumi.Output.secret(a.name))
pulumi.export("nested", {"a": a.name})
pulumi.export("plain", "literal")
