"""Where azure-native keeps an Azure ML registry's settings: flat in 3.x, under ``registryProperties``
in 2.x (its default and versioned modules). The classic provider has no registry resource.
"""

from __future__ import annotations

from typing import Final

from .. import types as t
from ..shape import Default, Setting

TYPES: Final = (f"{t.ML}:Registry",)
PUBLIC_NETWORK: Final = Setting(
    "publicNetworkAccess", an2="{body}.publicNetworkAccess",
    default=Default("Enabled", "Azure ML keeps a registry reachable from public networks unless publicNetworkAccess is "
                    "Disabled"))
