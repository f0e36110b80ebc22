import pulumi

token = pulumi.Config().require_secret('token')


def check(value):
    raise ValueError(f'the token {value} is not accepted')


token.apply(check)
