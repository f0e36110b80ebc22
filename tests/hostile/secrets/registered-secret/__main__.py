import pulumi


class Thing(pulumi.CustomResource):
    def __init__(self, name, props):
        super().__init__("hostile:index:Thing", name, props)

thing = Thing('t', {'password': pulumi.Output.secret('s3cr3t-registered-value')})


def fail(_):
    raise RuntimeError('the password s3cr3t-registered-value was rejected')


thing.urn.apply(fail)
