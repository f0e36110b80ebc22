import subprocess
import sys
import time

from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy


def judge(args, report_violation):
    subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', 'hostile-pack-sleeper'])
    time.sleep(600)


PolicyPack(name='slow-pack', policies=[ResourceValidationPolicy(
    name='judge', description='Takes its time.', validate=judge, enforcement_level=EnforcementLevel.MANDATORY)])
