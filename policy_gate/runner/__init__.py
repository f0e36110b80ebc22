"""What runs inside the program's own interpreter: ``python -m policy_gate.runner --out-fd N``.

It runs a Pulumi Python program under the SDK's mock monitor and writes every registration,
as the engine would record it, to file descriptor N (see ``__main__``). It imports only
``pulumi`` (with what pulumi ships: ``google.protobuf``, ``grpc``), the standard library, its
own modules and the gate's standard-library-only ``wire`` and ``errors``
(``tests/test_layout.py`` checks this), so it works in a program's virtualenv that has
nothing of the gate installed.

- ``spec``: the JSON the gate hands over on stdin (project, entry, stack, config).
- ``execution``: running the program as the language host runs it.
- ``monitor``: the mock monitor that records each registration; ``sources`` locates each
  resource, export and failure in the user's code.
- ``mocks``: the provider's answers, built from ``values`` (deterministic values), ``arm``
  (ARM ids and names), ``sdk_types`` (the SDK's type information), ``shaping`` (inputs echoed
  as the declared output types) and ``samples`` (plausible values of declared types: what
  only the provider computes, invoke results).
"""
