import pulumi


class Group(pulumi.ComponentResource):
    def __init__(self, name):
        super().__init__('hostile:index:Group', name)

Group('g')
pulumi.export('answer', 42)
