using Acs.Data.Tenants;

namespace Acs.Api.Tenants;

/// <summary>Runs the tenant change feed for the life of the service, so cached tenants are dropped when they change.</summary>
public sealed class TenantChangeListenerService(TenantChangeFeed feed) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => feed.RunAsync(stoppingToken);
}
