import sys

from policy_gate.cli import main

sys.exit(main())
