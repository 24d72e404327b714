using Acs.Core.Administration;
using Acs.Core.Audit;
using Acs.Core.Telemetry;
using Acs.Core.Tenants;

namespace Acs.Core.Rollover;

/// <summary>The administration API's view of metadata refresh: its state, the pending change, the audit log, expiring certificates.</summary>
public sealed class RolloverAdministration(ITenantDirectory directory, IRolloverStore store, IAuditLog audit, MetadataRefresher refresher,
    ICertificateInventory inventory, CertificateExpiryOptions expiry, TimeProvider clock)
{
    public const string NoMetadataUrl = "metadata_url_not_set";
    public const string NoPendingChange = "no_pending_change";
    public const string StatusInvalid = "certificate_status_invalid";

    /// <summary>The tenant's metadata source, or null when it has none.</summary>
    public async Task<AdminResult<(Tenant Tenant, MetadataSourceState? Source)>> FindAsync(string subdomain, CancellationToken cancellationToken)
    {
        if (await FindTenantAsync(subdomain, cancellationToken) is not { } tenant)
        {
            return AdminErrorCodes.TenantNotFoundError(subdomain);
        }

        return AdminResult<(Tenant, MetadataSourceState?)>.Ok((tenant, await store.FindSourceAsync(tenant.Id, cancellationToken)));
    }

    /// <summary>The tenant's metadata source, for views of the tenant; null when it has no metadata URL.</summary>
    public Task<MetadataSourceState?> SourceOfAsync(Guid tenantId, CancellationToken cancellationToken) => store.FindSourceAsync(tenantId, cancellationToken);

    /// <summary>Fetches and reconciles the tenant's metadata now, outside the schedule.</summary>
    public async Task<AdminResult<RefreshOutcome>> RefreshNowAsync(string subdomain, CancellationToken cancellationToken)
    {
        var found = await FindAsync(subdomain, cancellationToken);
        if (found.Error is { } error)
        {
            return error;
        }

        var (tenant, source) = found.Value;
        if (source is null)
        {
            return NoSource();
        }

        return AdminResult<RefreshOutcome>.Ok(await refresher.RefreshAsync(tenant.Id, tenant.Subdomain, source.MetadataUrl, cancellationToken));
    }

    /// <summary>Makes the pending entity ID and SSO URL the trusted ones, then refreshes at once (its certificates come in).</summary>
    public async Task<AdminResult<RefreshOutcome>> ApplyPendingAsync(string subdomain, CancellationToken cancellationToken)
    {
        var found = await FindPendingAsync(subdomain, cancellationToken);
        if (found.Error is { } error)
        {
            return error;
        }

        var (tenant, source) = found.Value;
        var pending = source.Pending!;
        var now = clock.GetUtcNow();
        var entry = new AuditEntry(AuditActions.IdpChangeApplied, null,
            $"Applied: entity ID '{pending.IdpEntityId}', SSO URL '{pending.SsoTargetUrl}' (was '{tenant.Idp?.IdpEntityId}', '{tenant.Idp?.SsoTargetUrl}').");
        if (!await store.ApplyPendingAsync(tenant.Id, pending, now, [AuditEvent.Of(tenant.Id, now, AuditActors.AdminApi, entry)], cancellationToken))
        {
            return PendingGone();
        }

        return AdminResult<RefreshOutcome>.Ok(await refresher.RefreshAsync(tenant.Id, tenant.Subdomain, source.MetadataUrl, cancellationToken));
    }

    /// <summary>Keeps the trusted entity ID and SSO URL; the same change is not raised again.</summary>
    public async Task<AdminError?> DismissPendingAsync(string subdomain, CancellationToken cancellationToken)
    {
        var found = await FindPendingAsync(subdomain, cancellationToken);
        if (found.Error is { } error)
        {
            return error;
        }

        var (tenant, source) = found.Value;
        var pending = source.Pending!;
        var now = clock.GetUtcNow();
        var entry = new AuditEntry(AuditActions.IdpChangeDismissed, null,
            $"Dismissed: entity ID '{pending.IdpEntityId}', SSO URL '{pending.SsoTargetUrl}'; the trusted ones stay.");
        return await store.DismissPendingAsync(tenant.Id, pending, [AuditEvent.Of(tenant.Id, now, AuditActors.AdminApi, entry)], cancellationToken)
            ? null
            : PendingGone();
    }

    public async Task<AdminResult<Page<AuditEvent>>> ListAuditEventsAsync(string subdomain, PagingRequest paging, CancellationToken cancellationToken)
    {
        if (await FindTenantAsync(subdomain, cancellationToken) is not { } tenant)
        {
            return AdminErrorCodes.TenantNotFoundError(subdomain);
        }

        return AdminResult<Page<AuditEvent>>.Ok(await audit.ListAsync(tenant.Id, paging.OffsetValue, paging.LimitValue, cancellationToken));
    }

    /// <summary>Certificates of every tenant that are <c>expiring</c> or <c>expired</c> (null: both), soonest end first.</summary>
    public async Task<AdminResult<Page<TenantCertificate>>> ListCertificatesAsync(string? status, PagingRequest paging, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var expiringBy = now.AddDays(expiry.ExpiringWithinDays);
        (DateTimeOffset By, DateTimeOffset? After)? range = status switch
        {
            null or "" => (expiringBy, null),
            CertificateStatus.Expiring => (expiringBy, now),
            CertificateStatus.Expired => (now, null),
            _ => null,
        };
        if (range is not { } r)
        {
            return new AdminError(AdminErrorKind.Invalid, StatusInvalid,
                $"status must be {CertificateStatus.Expiring} or {CertificateStatus.Expired} (or left out for both).", "status");
        }

        return AdminResult<Page<TenantCertificate>>.Ok(await inventory.ListEndingByAsync(r.By, r.After, paging.OffsetValue, paging.LimitValue, cancellationToken));
    }

    private async Task<AdminResult<(Tenant Tenant, MetadataSourceState Source)>> FindPendingAsync(string subdomain, CancellationToken cancellationToken)
    {
        var found = await FindAsync(subdomain, cancellationToken);
        if (found.Error is { } error)
        {
            return error;
        }

        var (tenant, source) = found.Value;
        if (source is null)
        {
            return NoSource();
        }

        return source.Pending is null or { Dismissed: true }
            ? PendingGone()
            : AdminResult<(Tenant, MetadataSourceState)>.Ok((tenant, source));
    }

    private static AdminError NoSource() =>
        new(AdminErrorKind.Conflict, NoMetadataUrl, "The tenant has no metadata URL: set metadataUrl with PUT .../sso first.");

    private static AdminError PendingGone() =>
        new(AdminErrorKind.Conflict, NoPendingChange, "There is no pending entity ID or SSO URL change to apply or dismiss.");

    private async Task<Tenant?> FindTenantAsync(string subdomain, CancellationToken cancellationToken) =>
        SubdomainRules.IsWellFormed(subdomain) ? await directory.FindBySubdomainAsync(subdomain, cancellationToken) : null;
}
