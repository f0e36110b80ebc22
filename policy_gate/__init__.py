"""The offline gate: run a Pulumi program (or read saved state) and check it with a
CrossGuard policy pack over the CLI's own analyzer protocol, with no Pulumi CLI and no
cloud credentials."""

__version__ = "0.1.0"
