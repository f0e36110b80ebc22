"""Where each provider keeps an asset version's settings: data, code, environment, model and
component versions (in workspaces and registries), feature store entity and featureset versions,
and the v1 dataset.

Every asset version has ``name`` and ``version`` at the top level and its body under ``properties``
(3.x) or a 2.x name (``dataVersionBaseProperties``, ``codeVersionProperties``, ...; the Registry*
variants use the same names; 2.x module v20220201preview ``<x>Details``). The v1
``MachineLearningDataset`` (both azure-native versions) is flat and has no version of its own. The
classic provider has no asset resources.
"""

from __future__ import annotations

from typing import Final

from .. import types as t
from ..shape import Default, Setting

DATASET: Final = f"{t.ML}:MachineLearningDataset"  # v1
DATA_VERSIONS: Final = (t.DATA_VERSION, t.REGISTRY_DATA_VERSION)
OTHER_VERSIONS: Final = (t.CODE_VERSION, t.ENVIRONMENT_VERSION, t.MODEL_VERSION, t.COMPONENT_VERSION,
                         t.FEATURESTORE_ENTITY_VERSION, t.REGISTRY_CODE_VERSION, t.REGISTRY_ENVIRONMENT_VERSION,
                         t.REGISTRY_MODEL_VERSION, t.REGISTRY_COMPONENT_VERSION)
ENVIRONMENT_VERSIONS: Final = (t.ENVIRONMENT_VERSION, t.REGISTRY_ENVIRONMENT_VERSION)

NAME: Final = Setting("name")
VERSION: Final = Setting("version")
WORKSPACE_NAME: Final = Setting("workspaceName")
BODY: Final = Setting("{body}")
DATA_URI: Final = Setting("{body}.dataUri")
IS_ANONYMOUS: Final = Setting("{body}.isAnonymous", default=Default(False, "the Azure ML REST API default"))
INDEX_COLUMNS: Final = Setting("{body}.indexColumns")  # feature store entity versions
DATASET_URL: Final = Setting("parameters.path.httpUrl")  # v1 dataset from a URL

# Featureset versions (feature stores).
SPECIFICATION_PATH: Final = Setting("{body}.specification.path")
ENTITIES: Final = Setting("{body}.entities")
FREE_PROPERTIES: Final = Setting("{body}.properties")  # the version's free-form string map
MATERIALIZATION: Final = Setting("{body}.materializationSettings")
STORE_TYPE: Final = Setting("{body}.materializationSettings.storeType",
                            default=Default("None", "the Azure ML REST API default: nothing is materialised"))
SPARK_INSTANCE_TYPE: Final = Setting("{body}.materializationSettings.resource.instanceType")
