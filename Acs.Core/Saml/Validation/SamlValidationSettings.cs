using Acs.Core.Certificates;
using Acs.Core.Saml.Encryption;

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

    /// <summary>The tenant's SP encryption keys that may decrypt an EncryptedAssertion (active and decrypt-only).</summary>
    public IReadOnlyList<SamlDecryptionKey> DecryptionKeys { get; init; } = [];

    /// <summary><see cref="EncryptedAssertionPolicy.Required"/> refuses a plain assertion (assertion_not_encrypted).</summary>
    public EncryptedAssertionPolicy EncryptedAssertions { get; init; } = EncryptedAssertionPolicy.Optional;

    /// <summary>Limit of an EncryptedAssertion's decoded ciphertext, and so of the decrypted XML.</summary>
    public int MaxEncryptedAssertionBytes { get; init; } = 128 * 1024;
}
