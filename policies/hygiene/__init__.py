"""Hygiene rules for every Azure ML resource: required tags, no preview API versions, allowed
locations.

These rules match whole families of types (every ``azure-native:machinelearningservices:*`` and
``azure:machinelearning/*`` token, or every located one) so a type azure-native adds later is
covered without editing a list. Where a type token alone cannot say what a rule needs (where a
type keeps its tags, which types default to a preview API version), the module keeps a table that
tests/test_rules_hygiene.py checks against the installed pulumi-azure-native.
"""
