import subprocess
import sys

import pulumi

subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', 'hostile-background-child'])
pulumi.export('answer', 42)
