"""What preview cannot know yet: the stack rule that judges, by where they come from, the values
unknown during preview that resource rules defer to it (``policies.core.provenance``)."""
