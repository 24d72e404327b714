using System.Security.Cryptography.Xml;
using System.Xml;
using Acs.Core.DevelopmentIdp;
using Acs.Core.Saml.Xml;

namespace Acs.Testing.TestIdp;

/// <summary>How the test IdP signs one element. Defaults are Entra's: RSA-SHA256, exclusive c14n, enveloped,
/// the certificate in KeyInfo, the Signature right after the Issuer.</summary>
public sealed record SignatureOptions
{
    public string SignatureMethod { get; init; } = SamlConstants.RsaSha256;

    public string DigestMethod { get; init; } = SamlConstants.DigestSha256;

    public TestIdpKeys Keys { get; init; } = TestIdpKeys.Default;

    public bool IncludeKeyInfo { get; init; } = true;

    /// <summary>Null: "#" + the signed element's ID.</summary>
    public string? ReferenceUri { get; init; }

    /// <summary>Null: enveloped-signature then exclusive c14n.</summary>
    public Func<IReadOnlyList<Transform>>? Transforms { get; init; }

    public static SignatureOptions Sha1 => new() { SignatureMethod = SamlConstants.RsaSha1, DigestMethod = SamlConstants.DigestSha1 };

    public static SignatureOptions Sha512 => new() { SignatureMethod = SamlConstants.RsaSha512, DigestMethod = SamlConstants.DigestSha512 };
}

public static class TestSigner
{
    // SignedXml signs ECDSA only with a registered description.
    static TestSigner() => EcdsaSignatureDescription.EnsureRegistered();

    /// <summary>Signs <paramref name="element"/> and inserts the ds:Signature after its Issuer child.</summary>
    public static XmlElement Sign(XmlElement element, SignatureOptions? options = null)
    {
        options ??= new SignatureOptions();
        return EntraResponseSigner.Sign(element, options.Keys.Key, options.IncludeKeyInfo ? options.Keys.Certificate : null,
            options.SignatureMethod, options.DigestMethod, options.ReferenceUri, options.Transforms?.Invoke());
    }
}
