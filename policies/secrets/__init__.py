"""No credential held inline: in datastores, workspace connections, data URIs, any ML resource's
inputs, or the stack's exports. A policy cannot see whether a value was wrapped as a Pulumi secret
(pulumi-policy unwraps secrets first, pulumi/pulumi-policy#241), so these rules judge names and
values, and wrapping exempts nothing."""
