"""Rules on the resources an Azure ML workspace stands on (its storage account, key vault,
container registry and Application Insights component), judged when the workspace names them and
they are declared in the same stack: identity-only access, recoverable keys, TLS 1.2, and no public
network access beside a private workspace."""
