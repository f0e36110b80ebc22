"""The small core every rule family builds on; it imports no family.

- ``rule``: how a rule is declared (``ResourceRule``, ``StackRule``) and becomes a pulumi_policy
  ``Policy`` (its docstring maps our words to the host API's);
- ``options``: config keys with defaults (``failClosed`` included);
- ``samples``: a rule's own compliant and non-compliant cases;
- ``stack``: what a stack rule sees (``StackItem``, ``StackIndex``);
- ``checks``: declarative "value at a path must (not) be one of these, absence means X" checks;
- ``props``: every property read (key spelling, secrets, unknowns, floats, wrong types);
- ``shape``: one reading of a setting whatever provider declared the resource (``Setting``: its path
  in azure-native 3.x and 2.x and in the classic provider, what an absent value means in each and
  where that is written, the API versions that have it);
- ``providers``: the three providers, every ML type each has, where azure-native keeps a body;
- ``resources``: the ``Setting`` of every property a rule reads, one module per resource family;
- ``types``: resource type tokens in every spelling;
- ``frameworks``: the public controls rules cite, one constant each;
- ``refs``: Azure ML asset references and whether they are pinned;
- ``durations``: ISO-8601 (and seconds) durations;
- ``credentials``: recognising credentials by name and by value;
- ``messages``: which values a violation message may quote (enum members, config, Azure's size
  names and regions).
"""
