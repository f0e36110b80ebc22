import sys

import pulumi

line = 'x' * 1023 + '\n'
for _ in range(100 * 1024):
    sys.stdout.write(line)
sys.stdout.flush()
pulumi.export('answer', 42)
