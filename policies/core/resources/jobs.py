"""Where each provider keeps a job definition: a Job's body (3.x ``properties``, 2.x
``jobBaseProperties``, 2.x v20220201preview ``jobBaseDetails``) and a Schedule's (3.x
``properties.action.jobDefinition``, 2.x ``scheduleProperties.action.jobBaseProperties``). Inside a
definition both versions use the same names (2.x has no Spark jobs). The classic provider has no job
or schedule resource.
"""

from __future__ import annotations

from typing import Final

from .. import types as t
from ..shape import Setting

TYPES: Final = (t.JOB, t.SCHEDULE)
JOB: Final = Setting("{body}")
ACTION: Final = Setting("{body}.action")
ACTION_TYPE: Final = Setting("{body}.action.actionType")
SCHEDULED_JOB: Final = Setting("{body}.action.jobDefinition", an2="{body}.action.jobBaseProperties")
INPUTS: Final = Setting("{body}.inputs")
WORKSPACE_NAME: Final = Setting("workspaceName")
