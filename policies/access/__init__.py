"""Rules on who may do what on the Azure ML estate: role assignments (azure-native 2.x and 3.x
``authorization:RoleAssignment``, classic ``azure:authorization/assignment:Assignment``) on Azure ML
resources, the resources a workspace depends on, and their resource groups."""
