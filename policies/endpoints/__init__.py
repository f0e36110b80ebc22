"""Rules on Azure ML online endpoints and deployments (azure-native only: the classic provider has
no online endpoint resource).

Absent values: ``OnlineEndpointPropertiesArgs`` fills ``publicNetworkAccess=Enabled`` and the
deployment ``*Args`` classes fill ``egressPublicNetworkAccess=Enabled`` and
``instanceType=Standard_F4s_v2``; plain dicts fill none. Each rule says how it treats absence.
"""
