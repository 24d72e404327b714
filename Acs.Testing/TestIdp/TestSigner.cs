using System.Security.Cryptography;
using System.Security.Cryptography.Xml;
using System.Xml;
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
        var document = element.OwnerDocument;
        var signedXml = new SignedXml(document) { SigningKey = options.Keys.Key };
        signedXml.SignedInfo!.CanonicalizationMethod = SignedXml.XmlDsigExcC14NTransformUrl;
        signedXml.SignedInfo.SignatureMethod = options.SignatureMethod;

        var reference = new Reference(options.ReferenceUri ?? "#" + element.GetAttribute("ID")) { DigestMethod = options.DigestMethod };
        foreach (var transform in options.Transforms?.Invoke() ?? [new XmlDsigEnvelopedSignatureTransform(), new XmlDsigExcC14NTransform()])
        {
            reference.AddTransform(transform);
        }

        signedXml.AddReference(reference);
        if (options.IncludeKeyInfo)
        {
            var keyInfo = new KeyInfo();
            keyInfo.AddClause(new KeyInfoX509Data(options.Keys.Certificate));
            signedXml.KeyInfo = keyInfo;
        }

        signedXml.ComputeSignature();
        var signature = (XmlElement)document.ImportNode(signedXml.GetXml(), deep: true);
        var issuer = element.ChildNodes.OfType<XmlElement>().FirstOrDefault(e => e.LocalName == "Issuer");
        if (issuer is null)
        {
            element.PrependChild(signature);
        }
        else
        {
            element.InsertAfter(signature, issuer);
        }

        return signature;
    }
}
