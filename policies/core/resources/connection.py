"""Where azure-native keeps a workspace connection's authentication (the classic provider has no
connection resource).

``WorkspaceConnection`` nests under ``properties`` in 3.x and in 2.x's default module; 2.x's modules
v20210401 and v20220201preview are flat. 2.x connections also carry ``value`` (a JSON string that,
for credential auth types, holds the credential), which 3.x dropped.
"""

from __future__ import annotations

from typing import Final

from .. import types as t
from ..shape import Setting

TYPES: Final = (t.WORKSPACE_CONNECTION,)
AUTH_TYPE: Final = Setting("{body}.authType")
CREDENTIALS: Final = Setting("{body}.credentials")
VALUE: Final = Setting("{body}.value")  # 2.x: the connection's value, a credential for credential auth types
