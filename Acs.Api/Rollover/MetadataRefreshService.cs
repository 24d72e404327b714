using Acs.Core.Rollover;

namespace Acs.Api.Rollover;

/// <summary>
/// Refreshes due tenants' IdP metadata once a minute; a tenant is due every few hours (<c>Acs__MetadataRefresh__Interval</c>,
/// sooner when its metadata asks). One replica works at a time: the others find the lease held and skip the round.
/// </summary>
public sealed class MetadataRefreshService(MetadataRefresher refresher, MetadataRefreshSettings settings, TimeProvider time,
    ILogger<MetadataRefreshService> logger) : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!settings.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(PollInterval, time);
        do
        {
            try
            {
                var round = await refresher.RefreshDueAsync(stoppingToken);
                foreach (var outcome in round.Outcomes)
                {
                    RefreshLog.Write(logger, outcome);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The database may be away; the next round tries again.
                logger.LogWarning("IdP metadata refresh round failed: {Reason}", ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}

/// <summary>The log lines of a refresh: a failure or a held change is a warning an operator should see.</summary>
public static class RefreshLog
{
    public static void Write(ILogger logger, RefreshOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(outcome);
        if (outcome.Outcome == RefreshOutcomes.Failed)
        {
            logger.LogWarning("IdP metadata refresh failed for tenant {Subdomain} ({Code}): {Reason} The trusted certificates are kept.",
                outcome.Subdomain, outcome.ErrorCode, outcome.Message);
            return;
        }

        if (outcome.Plan is not { } plan)
        {
            return;
        }

        if (plan.PendingChanged && plan.Pending is { } pending)
        {
            logger.LogWarning(
                "IdP metadata of tenant {Subdomain} names another entity ID '{EntityId}' or SSO URL '{SsoTargetUrl}'; not applied: waiting for an administrator (POST /admin/tenants/{Subdomain}/sso/pending-change/apply or /dismiss)",
                outcome.Subdomain, pending.IdpEntityId, pending.SsoTargetUrl, outcome.Subdomain);
        }

        foreach (var change in plan.Events.Where(e => e.Subject is not null))
        {
            logger.LogInformation("IdP metadata of tenant {Subdomain}: {Action} {Thumbprint}: {Detail}", outcome.Subdomain, change.Action, change.Subject, change.Detail);
        }
    }
}
