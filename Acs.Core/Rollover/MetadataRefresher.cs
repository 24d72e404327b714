using Acs.Core.Audit;
using Acs.Core.Saml.Metadata;
using Acs.Core.Telemetry;

namespace Acs.Core.Rollover;

/// <summary>How one refresh of one tenant's metadata ended (the outcome is also the metric's attribute).</summary>
public sealed record RefreshOutcome(Guid TenantId, string Subdomain, string Outcome, string? ErrorCode, string? Message, RolloverPlan? Plan);

/// <summary>One scheduled round: skipped when another replica holds the lease.</summary>
public sealed record RefreshRound(bool Skipped, IReadOnlyList<RefreshOutcome> Outcomes);

public static class RefreshOutcomes
{
    public const string Unchanged = "unchanged";
    public const string Updated = "updated";
    public const string PendingChange = "pending_change";
    public const string Failed = "failed";
}

/// <summary>
/// The metadata refresh use case: fetches each due tenant's metadata, reconciles the trusted certificates
/// (<see cref="MetadataReconciler"/>) and records the outcome. A failure changes no certificate.
/// </summary>
public sealed class MetadataRefresher(IRolloverStore store, IMetadataSource source, RolloverOptions options, AcsMetrics metrics, TimeProvider clock)
{
    /// <summary>Sources read per query; a round works through them until none is due.</summary>
    public const int BatchSize = 50;

    /// <summary>A round stops after this many, leaving the rest to the next round (a lease is not held for hours).</summary>
    public const int MaxPerRound = 1000;

    private const int MaxConflictRetries = 3;
    private const string RefreshErrorCode = "metadata_refresh_error";

    public async Task<RefreshRound> RefreshDueAsync(CancellationToken cancellationToken)
    {
        await using var lease = await store.TryAcquireLeaseAsync(cancellationToken);
        if (lease is null)
        {
            return new RefreshRound(true, []);
        }

        var outcomes = new List<RefreshOutcome>();
        while (outcomes.Count < MaxPerRound)
        {
            var due = await store.ListDueAsync(clock.GetUtcNow(), BatchSize, cancellationToken);
            if (due.Count == 0)
            {
                break;
            }

            foreach (var item in due)
            {
                outcomes.Add(await RefreshOneOfRoundAsync(item, cancellationToken));
            }
        }

        return new RefreshRound(false, outcomes);
    }

    /// <summary>Refreshes one tenant now (after an administrator applied a pending change, or on a round).</summary>
    public async Task<RefreshOutcome> RefreshAsync(Guid tenantId, string subdomain, string metadataUrl, CancellationToken cancellationToken)
    {
        var outcome = await RefreshCoreAsync(tenantId, subdomain, metadataUrl, cancellationToken);
        metrics.MetadataRefreshed(outcome.Outcome, outcome.ErrorCode);
        return outcome;
    }

    // One tenant's unexpected failure (a write the database refused) is recorded for that tenant and the round goes on,
    // so one tenant cannot hold up the others' refreshes.
    private async Task<RefreshOutcome> RefreshOneOfRoundAsync(DueMetadataSource item, CancellationToken cancellationToken)
    {
        try
        {
            return await RefreshAsync(item.TenantId, item.Subdomain, item.MetadataUrl, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            metrics.MetadataRefreshed(RefreshOutcomes.Failed, RefreshErrorCode);
            return await FailAsync(item.TenantId, item.Subdomain, RefreshErrorCode, $"The refresh could not be stored: {ex.Message}", cancellationToken);
        }
    }

    private async Task<RefreshOutcome> RefreshCoreAsync(Guid tenantId, string subdomain, string metadataUrl, CancellationToken cancellationToken)
    {
        var fetched = MetadataUrlRules.Check(metadataUrl, options.AllowedHosts) is { } refused
            ? MetadataFetchResult.Fail(refused.Code, refused.Message)
            : await source.FetchAsync(new Uri(metadataUrl), cancellationToken);
        if (!fetched.IsSuccess)
        {
            return await FailAsync(tenantId, subdomain, fetched.ErrorCode!, fetched.Message!, cancellationToken);
        }

        var parsed = IdpMetadataParser.Parse(fetched.Body);
        if (!parsed.IsValid)
        {
            return await FailAsync(tenantId, subdomain, parsed.ErrorCode!, parsed.Message!, cancellationToken);
        }

        for (var attempt = 0; ; attempt++)
        {
            var (trusted, version) = await store.ReadTrustedAsync(tenantId, cancellationToken);
            if (trusted is null)
            {
                return await FailAsync(tenantId, subdomain, Administration.AdminErrorCodes.SsoNotConfigured,
                    "The tenant has no SSO configuration to reconcile the metadata with.", cancellationToken);
            }

            var now = clock.GetUtcNow();
            var plan = MetadataReconciler.Reconcile(trusted, parsed.Metadata, now, options.GracePeriod);
            var times = new RefreshTimes(now, MetadataReconciler.NextRefresh(parsed.Metadata, now, options.RefreshInterval, Random.Shared.NextDouble()));
            var events = plan.Events.Select(e => AuditEvent.Of(tenantId, now, AuditActors.MetadataRefresh, e)).ToList();
            if (await store.ApplyRefreshAsync(tenantId, version, plan, times, events, cancellationToken))
            {
                var outcome = plan.Pending is { Dismissed: false } ? RefreshOutcomes.PendingChange
                    : plan.ChangesTrust ? RefreshOutcomes.Updated
                    : RefreshOutcomes.Unchanged;
                return new RefreshOutcome(tenantId, subdomain, outcome, null, null, plan);
            }

            // The tenant's configuration changed while the metadata was fetched: decide again on what is stored now.
            if (attempt == MaxConflictRetries)
            {
                return await FailAsync(tenantId, subdomain, "metadata_refresh_conflict",
                    "The tenant's SSO configuration kept changing during the refresh; the next refresh tries again.", cancellationToken);
            }
        }
    }

    private async Task<RefreshOutcome> FailAsync(Guid tenantId, string subdomain, string code, string message, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var retry = options.RefreshInterval < RolloverOptions.RetryAfterFailure ? options.RefreshInterval : RolloverOptions.RetryAfterFailure;
        await store.RecordFailureAsync(tenantId, now, code, message, now + retry, cancellationToken);
        return new RefreshOutcome(tenantId, subdomain, RefreshOutcomes.Failed, code, message, null);
    }
}
