import pulumi


class Thing(pulumi.CustomResource):
    def __init__(self, name, props):
        super().__init__("hostile:index:Thing", name, props)

Thing('t', {'n': 1})
