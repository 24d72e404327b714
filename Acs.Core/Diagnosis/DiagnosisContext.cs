using Acs.Core.Saml.Validation;

namespace Acs.Core.Diagnosis;

/// <summary>What <see cref="SignInDiagnoser"/> looks at: the outcome, the response's evidence and the site's configuration.</summary>
/// <param name="Code">The failure code; null for a successful sign-in.</param>
/// <param name="Received">The failure's Received value (the value a check refused), when it has one.</param>
/// <param name="Evidence">What the response showed; null when it could not be read.</param>
/// <param name="Subdomain">The site's subdomain.</param>
/// <param name="SpEntityId">The site's SP entity ID at the address the response arrived at.</param>
/// <param name="AcsUrl">The site's ACS URL at that address.</param>
/// <param name="IdpEntityId">The configured IdP entity ID; null when SSO is not configured.</param>
/// <param name="TrustedThumbprints">SHA-256 thumbprints of the site's trusted IdP certificates.</param>
/// <param name="Now">The service's clock when the response arrived.</param>
public sealed record DiagnosisContext(
    string? Code,
    string? Received,
    SamlEvidence? Evidence,
    string Subdomain,
    string SpEntityId,
    string AcsUrl,
    string? IdpEntityId,
    IReadOnlyList<string> TrustedThumbprints,
    bool AllowSha1,
    TimeSpan ClockSkew,
    DateTimeOffset Now)
{
    /// <summary>A certificate the response presented, not trusted by this site, is trusted by another site of this service.</summary>
    public bool PresentedCertificateTrustedByAnotherSite { get; init; }

    /// <summary>The presented certificates this site does not trust.</summary>
    public IReadOnlyList<string> UntrustedPresentedThumbprints =>
        Evidence is null
            ? []
            : Evidence.PresentedCertificateThumbprints.Where(t => !TrustedThumbprints.Contains(t, StringComparer.OrdinalIgnoreCase)).ToList();
}

/// <summary>Whether certificates are trusted by other tenants of this service. Answers existence only, never which tenant.</summary>
public interface ICertificateTrustDirectory
{
    /// <summary>Whether any tenant other than <paramref name="tenantId"/> trusts one of the certificates (SHA-256 thumbprints).</summary>
    Task<bool> IsTrustedByAnotherTenantAsync(Guid tenantId, IReadOnlyList<string> thumbprintsSha256, CancellationToken cancellationToken);
}
