import subprocess
import sys
import time

subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', 'hostile-program-sleeper'])
time.sleep(600)
