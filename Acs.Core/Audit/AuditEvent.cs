namespace Acs.Core.Audit;

/// <summary>One change to a tenant's trust: who made it, what it was, when.</summary>
/// <param name="Actor">Who: <see cref="AuditActors"/>.</param>
/// <param name="Action">What, as a stable snake_case code: <see cref="AuditActions"/>.</param>
/// <param name="Subject">What it was about, when one thing: a certificate's SHA-256 thumbprint, a URL.</param>
/// <param name="Detail">A sentence for a person.</param>
public sealed record AuditEvent(Guid Id, Guid TenantId, DateTimeOffset OccurredAt, string Actor, string Action, string? Subject, string Detail)
{
    public static AuditEvent Of(Guid tenantId, DateTimeOffset at, string actor, AuditEntry entry) =>
        new(Guid.NewGuid(), tenantId, at, actor, entry.Action, entry.Subject, entry.Detail);
}

/// <summary>An audit event before it is given its tenant, time and actor.</summary>
public sealed record AuditEntry(string Action, string? Subject, string Detail);

public static class AuditActors
{
    /// <summary>The operator, through the administration API (one API key: there is no finer "who").</summary>
    public const string AdminApi = "admin_api";

    /// <summary>The service itself, reading the IdP's metadata URL.</summary>
    public const string MetadataRefresh = "metadata_refresh";
}

public static class AuditActions
{
    public const string SsoConfigured = "sso_configured";
    public const string MetadataImported = "metadata_imported";
    public const string MetadataUrlSet = "metadata_url_set";
    public const string MetadataUrlRemoved = "metadata_url_removed";
    public const string CertificateAdded = "certificate_added";
    public const string CertificateRemoved = "certificate_removed";
    public const string CertificateLeftMetadata = "certificate_left_metadata";
    public const string CertificateBackInMetadata = "certificate_back_in_metadata";
    public const string IdpChangePending = "idp_change_pending";
    public const string IdpChangeWithdrawn = "idp_change_withdrawn";
    public const string IdpChangeApplied = "idp_change_applied";
    public const string IdpChangeDismissed = "idp_change_dismissed";
}

/// <summary>The port: the audit event table.</summary>
public interface IAuditLog
{
    Task AppendAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken);

    /// <summary>The tenant's events, newest first.</summary>
    Task<Administration.Page<AuditEvent>> ListAsync(Guid tenantId, int offset, int limit, CancellationToken cancellationToken);
}
