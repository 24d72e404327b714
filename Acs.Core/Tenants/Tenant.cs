using Acs.Core.EncryptionKeys;
using Acs.Core.Members;
using Acs.Core.Saml.Encryption;

namespace Acs.Core.Tenants;

/// <summary>A customer company: its site's subdomain, its sign-in policy and, once configured, its identity provider.</summary>
public sealed record Tenant(
    Guid Id,
    string Subdomain,
    string DisplayName,
    TenantPolicy Policy,
    IdpConfiguration? Idp,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>The tenant's SP encryption keys (active and decrypt-only), oldest first.</summary>
    public IReadOnlyList<SpEncryptionKey> EncryptionKeys { get; init; } = [];
}

/// <summary>How the tenant's sign-ins are checked and who may be provisioned.</summary>
public sealed record TenantPolicy(
    bool JitEnabled,
    string DefaultRole,
    IReadOnlyList<string> AllowedEmailDomains,
    int ClockSkewSeconds,
    bool AllowSha1,
    bool AllowIdpInitiated,
    IReadOnlyDictionary<string, string> RoleMappings)
{
    /// <summary>Whether a plain assertion is still accepted once token encryption is on.</summary>
    public EncryptedAssertionPolicy EncryptedAssertions { get; init; } = EncryptedAssertionPolicy.Optional;

    public static TenantPolicy Default { get; } = new(
        JitEnabled: true,
        DefaultRole: MemberRoles.TeamMember,
        AllowedEmailDomains: [],
        ClockSkewSeconds: 180,
        AllowSha1: false,
        AllowIdpInitiated: true,
        RoleMappings: new Dictionary<string, string>());
}

/// <summary>The tenant's identity provider as its administrator configured it.</summary>
public sealed record IdpConfiguration(
    string IdpEntityId,
    string SsoTargetUrl,
    IReadOnlyList<IdpCertificate> Certificates);

/// <summary>A trusted IdP signing certificate as stored (DER plus what administrators are shown).</summary>
public sealed record IdpCertificate(
    string ThumbprintSha256,
    string ThumbprintSha1,
    byte[] Der,
    string Subject,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    DateTimeOffset AddedAt)
{
    /// <summary>When a refresh of the IdP's metadata last found this certificate missing; null while it is listed (or no URL is set).</summary>
    public DateTimeOffset? LeftMetadataAt { get; init; }
}

/// <summary>Reads tenants for the login path.</summary>
public interface ITenantDirectory
{
    Task<Tenant?> FindBySubdomainAsync(string subdomain, CancellationToken cancellationToken);
}
