import pulumi_azure_native as azure_native

rg = azure_native.resources.ResourceGroup('rg', location='westeurope')
for name in ('[/]', '[bold]ws[/bold]'):
    azure_native.machinelearningservices.Workspace(name, resource_group_name=rg.name, location='westeurope')
