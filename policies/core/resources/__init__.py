"""One reading of each Azure ML resource family, whatever provider declared it: one module per
resource family (workspaces, computes, datastores and connections, endpoints, jobs, assets), each
declaring the ``shape.Setting`` of every property a rule reads, in azure-native 3.x, 2.x and the
classic pulumi-azure 6.x, with what an absent value means in each and where that is written.

They live in the core because several rule families read the same resources (the compute rules
read workspaces, the job rules read computes); rules read properties only through them.
"""
