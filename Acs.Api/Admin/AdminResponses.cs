using Acs.Api.Hosting;
using Acs.Core.Administration;
using Acs.Core.Audit;
using Acs.Core.LoginEvents;
using Acs.Core.Members;
using Acs.Core.Rollover;
using Acs.Core.Saml.Encryption;
using Acs.Core.Telemetry;
using Acs.Core.Tenants;

namespace Acs.Api.Admin;

/// <summary>A tenant as the administration API shows it.</summary>
/// <param name="SpEntityId">Entra's "Identifier", for the first configured public URL template.</param>
/// <param name="AcsUrl">Entra's "Reply URL", for the first configured public URL template.</param>
/// <param name="MetadataUrl">The SP metadata, for the first configured public URL template.</param>
/// <param name="PublicUrls">The same three URLs once per configured public URL template, the first one first.</param>
public sealed record TenantResponse(
    string Subdomain,
    string DisplayName,
    string SpEntityId,
    string AcsUrl,
    string MetadataUrl,
    IReadOnlyList<PublicUrlSet> PublicUrls,
    SsoResponse? Sso,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record PublicUrlSet(string SpEntityId, string AcsUrl, string MetadataUrl);

public sealed record SsoResponse(
    string SsoTargetUrl,
    string IdpEntityId,
    bool JitEnabled,
    string DefaultRole,
    IReadOnlyList<string> AllowedEmailDomains,
    bool AllowSha1,
    int ClockSkewSeconds,
    IReadOnlyDictionary<string, string> RoleMappings,
    bool AllowIdpInitiated,
    IReadOnlyList<CertificateResponse> Certificates,
    string EncryptedAssertions,
    MetadataRefreshResponse? Metadata);

/// <summary>The IdP's metadata URL and how its refresh stands; null in <see cref="SsoResponse"/> when no URL is set.</summary>
/// <param name="LastErrorCode">Why the last refresh failed (the certificates were kept); null after a success.</param>
/// <param name="PendingChange">An entity ID or SSO URL change seen in the metadata, waiting for an administrator.</param>
public sealed record MetadataRefreshResponse(
    string Url,
    DateTimeOffset NextRefreshAt,
    DateTimeOffset? LastAttemptAt,
    DateTimeOffset? LastSuccessAt,
    string? LastErrorCode,
    string? LastErrorMessage,
    PendingChangeResponse? PendingChange);

/// <param name="Dismissed">An administrator dismissed it; it is not raised again unless the metadata changes once more.</param>
public sealed record PendingChangeResponse(string IdpEntityId, string SsoTargetUrl, DateTimeOffset DetectedAt, bool Dismissed);

/// <summary>One audit event: who (<c>admin_api</c>, <c>metadata_refresh</c>) did what, when.</summary>
public sealed record AuditEventResponse(Guid Id, DateTimeOffset OccurredAt, string Actor, string Action, string? Subject, string Detail);

/// <summary>A certificate with the tenant that trusts it (the operator's list across tenants).</summary>
public sealed record TenantCertificateResponse(
    string Subdomain,
    string ThumbprintSha256,
    string Subject,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    int ExpiresInDays,
    string Status);

/// <param name="Status"><c>valid</c>, <c>expiring</c> (30 days or less left, or Acs__Certificates__ExpiringWithinDays) or <c>expired</c>.</param>
/// <param name="LeftMetadataAt">When the IdP's metadata stopped listing it; it stays trusted until <paramref name="RemovedAfter"/>.</param>
public sealed record CertificateResponse(
    string ThumbprintSha256,
    string ThumbprintSha1,
    string Subject,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    int ExpiresInDays,
    string Status,
    DateTimeOffset AddedAt,
    DateTimeOffset? LeftMetadataAt,
    DateTimeOffset? RemovedAfter);

public sealed record MemberResponse(
    Guid Id,
    string Email,
    string FirstName,
    string LastName,
    string Role,
    string Status,
    string CreatedVia,
    string? IdpSubject,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastLoginAt);

public sealed record LoginEventResponse(
    Guid Id,
    DateTimeOffset OccurredAt,
    string Outcome,
    string? ErrorCode,
    string? Message,
    string? Expected,
    string? Received,
    string? NameId,
    Guid? MemberId,
    string? AssertionId,
    string? ClientAddress,
    string? UserAgent,
    DiagnosisResponse? Diagnosis);

/// <summary>The known cause of the attempt's outcome.</summary>
/// <param name="Cause">Stable snake_case name of the cause (docs/saml-validation.md, "Diagnosis").</param>
/// <param name="Fix">Where it is fixed: "idp" (the identity provider) or "service" (this site's settings or the service).</param>
/// <param name="Advice">The step to take, in words.</param>
public sealed record DiagnosisResponse(string Cause, string Fix, string Advice);

public sealed record PageResponse<T>(IReadOnlyList<T> Items, long Total, int Offset, int Limit);

/// <summary>Turns Core's records into the API's; certificate status is computed with the injected clock.</summary>
public sealed class AdminViews(AcsSettings settings, CertificateExpiryOptions expiry, RolloverOptions rollover, TimeProvider clock)
{
    public TenantResponse Tenant(Tenant tenant) => Tenant(tenant, null);

    /// <summary>The tenant with its metadata refresh state, when it has a metadata URL.</summary>
    public TenantResponse Tenant(Tenant tenant, MetadataSourceState? source)
    {
        var urls = settings.PublicUrls
            .Select(t => new PublicUrlSet(t.SpEntityId(tenant.Subdomain), t.AcsUrl(tenant.Subdomain), t.MetadataUrl(tenant.Subdomain)))
            .ToList();
        var primary = urls[0];
        return new TenantResponse(tenant.Subdomain, tenant.DisplayName, primary.SpEntityId, primary.AcsUrl, primary.MetadataUrl, urls,
            tenant.Idp is null ? null : Sso(tenant.Policy, tenant.Idp, source), tenant.CreatedAt, tenant.UpdatedAt);
    }

    public PageResponse<TenantResponse> Tenants(Page<Tenant> page) => new(page.Items.Select(Tenant).ToList(), page.Total, page.Offset, page.Limit);

    public static MemberResponse Member(Member m) =>
        new(m.Id, m.Email, m.FirstName, m.LastName, m.Role, m.Status, m.CreatedVia, m.IdpSubject, m.CreatedAt, m.LastLoginAt);

    public static PageResponse<MemberResponse> Members(Page<Member> page) =>
        new(page.Items.Select(Member).ToList(), page.Total, page.Offset, page.Limit);

    public static LoginEventResponse LoginEvent(LoginEventEntry e) =>
        new(e.Id, e.OccurredAt, e.Outcome, e.ErrorCode, e.Message, e.Expected, e.Received, e.NameId, e.MemberId, e.AssertionId, e.ClientAddress, e.UserAgent,
            e.Diagnosis is { } d ? new DiagnosisResponse(d.Cause, d.Fix, d.Advice) : null);

    public static MetadataRefreshResponse Metadata(MetadataSourceState s) =>
        new(s.MetadataUrl, s.NextRefreshAt, s.LastAttemptAt, s.LastSuccessAt, s.LastErrorCode, s.LastErrorMessage,
            s.Pending is { } p ? new PendingChangeResponse(p.IdpEntityId, p.SsoTargetUrl, p.DetectedAt, p.Dismissed) : null);

    public static PageResponse<AuditEventResponse> AuditEvents(Page<AuditEvent> page) =>
        new(page.Items.Select(e => new AuditEventResponse(e.Id, e.OccurredAt, e.Actor, e.Action, e.Subject, e.Detail)).ToList(), page.Total, page.Offset, page.Limit);

    public PageResponse<TenantCertificateResponse> Certificates(Page<TenantCertificate> page)
    {
        var now = clock.GetUtcNow();
        return new(page.Items.Select(c => new TenantCertificateResponse(c.Subdomain, c.ThumbprintSha256, c.Subject, c.NotBefore, c.NotAfter,
            CertificateStatus.ExpiresInDays(c.NotAfter, now), CertificateStatus.Of(c.NotAfter, now, expiry.ExpiringWithinDays))).ToList(),
            page.Total, page.Offset, page.Limit);
    }

    private SsoResponse Sso(TenantPolicy policy, IdpConfiguration idp, MetadataSourceState? source)
    {
        var now = clock.GetUtcNow();
        return new SsoResponse(idp.SsoTargetUrl, idp.IdpEntityId, policy.JitEnabled, policy.DefaultRole, policy.AllowedEmailDomains,
            policy.AllowSha1, policy.ClockSkewSeconds, policy.RoleMappings, policy.AllowIdpInitiated,
            idp.Certificates.Select(c => new CertificateResponse(c.ThumbprintSha256, c.ThumbprintSha1, c.Subject, c.NotBefore, c.NotAfter,
                CertificateStatus.ExpiresInDays(c.NotAfter, now), CertificateStatus.Of(c.NotAfter, now, expiry.ExpiringWithinDays), c.AddedAt,
                c.LeftMetadataAt, c.LeftMetadataAt + rollover.GracePeriod)).ToList(),
            EncryptedAssertionPolicies.Name(policy.EncryptedAssertions),
            source is null ? null : Metadata(source));
    }
}
