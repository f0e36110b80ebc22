"""The small core every rule family builds on; it imports no family.

- ``rule``: how a rule is declared (``ResourceRule``, ``StackRule``) and becomes a pulumi_policy
  ``Policy`` (its docstring maps our words to the host API's);
- ``options``: config keys with defaults (``failClosed`` included);
- ``samples``: a rule's own compliant and non-compliant cases;
- ``stack``: what a stack rule sees (``StackItem``, ``StackIndex``);
- ``checks``: declarative "value at a path must (not) be one of these, absence means X" checks;
- ``props``: every property read (key spelling, secrets, unknowns, floats, wrong types);
- ``types``: resource type tokens in every spelling;
- ``frameworks``: the public controls rules cite, one constant each;
- ``refs``: Azure ML asset references and whether they are pinned;
- ``durations``: ISO-8601 (and seconds) durations;
- ``credentials``: recognising credentials by name and by value;
- ``messages``: which values a violation message may quote.
"""
