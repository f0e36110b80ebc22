"""Values in violation messages: the one place that decides which values a message may quote.

Messages reach terminals, CI logs and Pulumi Cloud, and a policy cannot tell whether a value
was a secret (pulumi-policy unwraps secrets first). So a message names a property's path and
what is wrong with it, and quotes a value only when it is a name Azure publishes or belongs to a
closed vocabulary:

- enum members (SKU, identity type, auth mode names) and the user's own config: ``quote_known``;
- VM sizes and instance types: any value of the strict shape of Azure's size names, in any case
  (``Standard_DS2_v2``, ``STANDARD_NC6``, ``Standard_NC24ads_A100_v4``): ``Standard_``, then the
  family letters, the vCPU count (optionally ``-<constrained count>``), feature letters, then at
  most an accelerator part (``_A100``, ``_T4``) and a version (``_v5``) (Microsoft's naming convention,
  learn.microsoft.com/azure/virtual-machines/vm-naming-conventions): ``quote_size``. A value of
  another shape, whatever it holds, is not quoted;
- regions: Azure's published region names (learn.microsoft.com/azure/reliability/regions-list,
  the canary regions and the sovereign clouds): ``quote_region``.

Anything else is described without its content.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

NOT_SHOWN: Final = "a value outside the known set (not shown)"
# Azure's size names: the tier prefix, then the size (family, vCPUs, features, accelerator, version).
_SIZE_NAME: Final = re.compile(r"^standard_[a-z]+[0-9]+(?:-[0-9]+)?[a-z]*(?:_[a-z]+[0-9]+[a-z]*)?(?:_v[0-9]+)?$",
                               re.IGNORECASE)
_SIZE_MAX: Final = 48
# Programmatic region names (display names compare with spaces removed, 'West Europe' == 'westeurope').
AZURE_REGIONS: Final = frozenset({
    "australiacentral", "australiacentral2", "australiaeast", "australiasoutheast", "austriaeast", "belgiumcentral",
    "brazilsouth", "brazilsoutheast", "canadacentral", "canadaeast", "centralindia", "centralus", "chilecentral",
    "denmarkeast", "eastasia", "eastus", "eastus2", "francecentral", "francesouth", "germanynorth",
    "germanywestcentral", "indonesiacentral", "israelcentral", "italynorth", "japaneast", "japanwest", "koreacentral",
    "koreasouth", "malaysiawest", "mexicocentral", "newzealandnorth", "northcentralus", "northeurope", "norwayeast",
    "norwaywest", "polandcentral", "qatarcentral", "southafricanorth", "southafricawest", "southcentralus",
    "southindia", "southeastasia", "spaincentral", "swedencentral", "switzerlandnorth", "switzerlandwest",
    "uaecentral", "uaenorth", "uksouth", "ukwest", "westcentralus", "westeurope", "westindia", "westus", "westus2",
    "westus3",
    "eastus2euap", "centraluseuap",  # the canary (early updates) regions
    "usgovvirginia", "usgovarizona", "usgovtexas", "chinanorth", "chinanorth2", "chinanorth3", "chinaeast",
    "chinaeast2", "chinaeast3", "global",
})


def quote_known(value: object, vocabulary: Iterable[object]) -> str:
    if isinstance(value, str):
        known = {v.strip().lower(): v for v in vocabulary if isinstance(v, str)}
        if value.strip().lower() in known:
            return f"'{value.strip()}'"
        return NOT_SHOWN
    if isinstance(value, bool):
        return "true" if value else "false"
    return "a value (not shown)"


def is_size_name(value: str) -> bool:
    """Whether a string has the shape of an Azure VM size or instance type name."""
    text = value.strip()
    return len(text) <= _SIZE_MAX and bool(_SIZE_NAME.match(text))


def quote_size(value: object, vocabulary: Iterable[object] = ()) -> str:
    """A VM size or instance type: quoted when it has the shape of Azure's size names."""
    if isinstance(value, str) and is_size_name(value):
        return f"'{value.strip()}'"
    return quote_known(value, vocabulary)


def region_key(value: str) -> str:
    """'West Europe' == 'westeurope' == 'WestEurope'."""
    return "".join(value.split()).lower()


def quote_region(value: object, vocabulary: Iterable[object] = ()) -> str:
    """A region: quoted (as its programmatic name) when Azure publishes it or the config names it."""
    if isinstance(value, str):
        key = region_key(value)
        if key in AZURE_REGIONS or key in {region_key(v) for v in vocabulary if isinstance(v, str)}:
            return f"'{key}'"
    return quote_known(value, ())


def number_text(value: object) -> str:
    """A config number for messages (``4`` rather than ``4.0``)."""
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)
