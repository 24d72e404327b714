using Acs.Core.Audit;

namespace Acs.Core.Rollover;

/// <summary>A tenant's metadata URL and the state of its refresh, as the administration API shows it.</summary>
public sealed record MetadataSourceState(
    Guid TenantId,
    string MetadataUrl,
    DateTimeOffset NextRefreshAt,
    DateTimeOffset? LastAttemptAt,
    DateTimeOffset? LastSuccessAt,
    string? LastErrorCode,
    string? LastErrorMessage,
    PendingIdpChange? Pending);

/// <summary>A metadata source whose refresh time has come.</summary>
public sealed record DueMetadataSource(Guid TenantId, string Subdomain, string MetadataUrl);

/// <summary>A successful refresh: when it ran and when the next one is due.</summary>
public sealed record RefreshTimes(DateTimeOffset At, DateTimeOffset NextRefreshAt);

/// <summary>The port: metadata sources, their refresh state and the writes a refresh makes.</summary>
public interface IRolloverStore
{
    /// <summary>
    /// The lease on refreshing: one replica at a time (a PostgreSQL advisory lock). Null while another replica
    /// holds it; disposing the lease releases it.
    /// </summary>
    Task<IAsyncDisposable?> TryAcquireLeaseAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<DueMetadataSource>> ListDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    Task<MetadataSourceState?> FindSourceAsync(Guid tenantId, CancellationToken cancellationToken);

    /// <summary>The trusted IdP (with the pending change) and the tenant's config version it was read at; null when SSO is not configured.</summary>
    Task<(TrustedIdp? Idp, long ConfigVersion)> ReadTrustedAsync(Guid tenantId, CancellationToken cancellationToken);

    /// <summary>Writes the plan, the refresh times and the audit events in one transaction. False when the tenant's
    /// configuration changed since <paramref name="expectedConfigVersion"/> (nothing is written).</summary>
    Task<bool> ApplyRefreshAsync(Guid tenantId, long expectedConfigVersion, RolloverPlan plan, RefreshTimes times,
        IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken);

    /// <summary>Records a failed refresh; the trusted certificates stay as they are.</summary>
    Task RecordFailureAsync(Guid tenantId, DateTimeOffset at, string code, string message, DateTimeOffset nextRefreshAt, CancellationToken cancellationToken);

    /// <summary>Sets the tenant's metadata URL after a successful fetch on save; any pending change and error are cleared.</summary>
    Task SaveSourceAsync(Guid tenantId, string metadataUrl, RefreshTimes times, CancellationToken cancellationToken);

    /// <summary>False when the tenant had no metadata URL.</summary>
    Task<bool> RemoveSourceAsync(Guid tenantId, CancellationToken cancellationToken);

    /// <summary>Stores the pending entity ID and SSO URL as the trusted ones and asks for a refresh now. False when
    /// the pending change is no longer <paramref name="expected"/>.</summary>
    Task<bool> ApplyPendingAsync(Guid tenantId, PendingIdpChange expected, DateTimeOffset now, IReadOnlyList<AuditEvent> events,
        CancellationToken cancellationToken);

    /// <summary>Marks the pending change dismissed: it is not raised again until the metadata changes once more.</summary>
    Task<bool> DismissPendingAsync(Guid tenantId, PendingIdpChange expected, IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken);
}
