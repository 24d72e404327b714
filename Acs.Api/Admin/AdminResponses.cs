using Acs.Api.Hosting;
using Acs.Core.Administration;
using Acs.Core.LoginEvents;
using Acs.Core.Members;
using Acs.Core.Saml.Encryption;
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
    string EncryptedAssertions);

/// <param name="Status"><c>valid</c>, <c>expiring</c> (30 days or less left) or <c>expired</c>.</param>
public sealed record CertificateResponse(
    string ThumbprintSha256,
    string ThumbprintSha1,
    string Subject,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    int ExpiresInDays,
    string Status,
    DateTimeOffset AddedAt);

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
public sealed class AdminViews(AcsSettings settings, TimeProvider clock)
{
    public TenantResponse Tenant(Tenant tenant)
    {
        var urls = settings.PublicUrls
            .Select(t => new PublicUrlSet(t.SpEntityId(tenant.Subdomain), t.AcsUrl(tenant.Subdomain), t.MetadataUrl(tenant.Subdomain)))
            .ToList();
        var primary = urls[0];
        return new TenantResponse(tenant.Subdomain, tenant.DisplayName, primary.SpEntityId, primary.AcsUrl, primary.MetadataUrl, urls,
            tenant.Idp is null ? null : Sso(tenant.Policy, tenant.Idp), tenant.CreatedAt, tenant.UpdatedAt);
    }

    public PageResponse<TenantResponse> Tenants(Page<Tenant> page) => new(page.Items.Select(Tenant).ToList(), page.Total, page.Offset, page.Limit);

    public static MemberResponse Member(Member m) =>
        new(m.Id, m.Email, m.FirstName, m.LastName, m.Role, m.Status, m.CreatedVia, m.IdpSubject, m.CreatedAt, m.LastLoginAt);

    public static PageResponse<MemberResponse> Members(Page<Member> page) =>
        new(page.Items.Select(Member).ToList(), page.Total, page.Offset, page.Limit);

    public static LoginEventResponse LoginEvent(LoginEventEntry e) =>
        new(e.Id, e.OccurredAt, e.Outcome, e.ErrorCode, e.Message, e.Expected, e.Received, e.NameId, e.MemberId, e.AssertionId, e.ClientAddress, e.UserAgent,
            e.Diagnosis is { } d ? new DiagnosisResponse(d.Cause, d.Fix, d.Advice) : null);

    private SsoResponse Sso(TenantPolicy policy, IdpConfiguration idp)
    {
        var now = clock.GetUtcNow();
        return new SsoResponse(idp.SsoTargetUrl, idp.IdpEntityId, policy.JitEnabled, policy.DefaultRole, policy.AllowedEmailDomains,
            policy.AllowSha1, policy.ClockSkewSeconds, policy.RoleMappings, policy.AllowIdpInitiated,
            idp.Certificates.Select(c => new CertificateResponse(c.ThumbprintSha256, c.ThumbprintSha1, c.Subject, c.NotBefore, c.NotAfter,
                CertificateStatus.ExpiresInDays(c.NotAfter, now), CertificateStatus.Of(c.NotAfter, now), c.AddedAt)).ToList(),
            EncryptedAssertionPolicies.Name(policy.EncryptedAssertions));
    }
}
