using Acs.Core.Certificates;

namespace Acs.Core.Saml.Validation;

/// <summary>One tenant's expectations of a SAML Response.</summary>
public sealed record SamlValidationSettings(
    string SpEntityId,
    string AcsUrl,
    string IdpEntityId,
    IReadOnlyList<TrustedCertificate> TrustedCertificates)
{
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromMinutes(3);

    public TimeSpan MaxAssertionAge { get; init; } = TimeSpan.FromMinutes(10);

    public bool AllowSha1 { get; init; }

    /// <summary>Limit after base64 decoding.</summary>
    public int MaxResponseBytes { get; init; } = 256 * 1024;
}
