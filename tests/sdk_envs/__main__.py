"""``python -m tests.sdk_envs [NAME ...]``: build the named SDK envs (default: all) and print each interpreter."""

import sys

from . import NAMES, python

for env in sys.argv[1:] or NAMES:
    print(f"{env}: {python(env)}", flush=True)
