"""Where each provider keeps a datastore's credentials and locations.

Three shapes: the v2 ``Datastore`` (azure-native 3.x ``properties``, 2.x ``datastoreProperties``, 2.x
v20220201preview ``datastoreDetails``), whose credentials object names its type and holds inline
secrets under ``secrets``; the v1 ``MachineLearningDatastore`` (both azure-native versions), whose
credentials are top-level inputs; and the classic provider's three datastore types, whose
credentials are top-level inputs too (pulumi-azure 6.40.1; its SDK marks accountKey,
sharedAccessSignature and clientSecret secret, which does not keep them out of the program).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from .. import types as t
from ..shape import Setting

BLOB: Final = f"{t.CLASSIC_ML}/datastoreBlobstorage:DatastoreBlobstorage"
DATALAKE_GEN2: Final = f"{t.CLASSIC_ML}/datastoreDatalakeGen2:DatastoreDatalakeGen2"
FILESHARE: Final = f"{t.CLASSIC_ML}/datastoreFileshare:DatastoreFileshare"
V1: Final = f"{t.ML}:MachineLearningDatastore"
TYPES: Final = (t.DATASTORE, V1, BLOB, DATALAKE_GEN2, FILESHARE)

BODY: Final = Setting("{body}")
CREDENTIALS: Final = Setting("{body}.credentials")
CREDENTIALS_TYPE: Final = Setting("{body}.credentials.credentialsType")
SECRETS: Final = Setting("{body}.credentials.secrets")


@dataclass(frozen=True)
class FlatCredential:
    """A credential held as a top-level input (v1 and classic datastores): the credentials type it
    means (in the v2 vocabulary), and whether it is itself a secret."""

    setting: Setting
    means: str | None
    secret: bool


FLAT_CREDENTIALS: Final = (
    FlatCredential(Setting("accountKey", classic="accountKey"), "AccountKey", True),
    FlatCredential(Setting("sasToken", classic="sharedAccessSignature"), "Sas", True),
    FlatCredential(Setting("clientId", classic="clientId"), "ServicePrincipal", False),
    FlatCredential(Setting("clientSecret", classic="clientSecret"), "ServicePrincipal", True),
    FlatCredential(Setting("password"), None, True),  # v1 SQL datastores (userId and password)
)
