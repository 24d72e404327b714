using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Xml;
using Acs.Core.Saml.Xml;

namespace Acs.Core.DevelopmentIdp;

/// <summary>Signs one element of a response as Entra does: an enveloped signature over "#ID" with exclusive c14n,
/// RSA-SHA256, the certificate in KeyInfo, the Signature right after the element's Issuer.</summary>
public static class EntraResponseSigner
{
    /// <param name="certificate">Null: no KeyInfo.</param>
    /// <param name="referenceUri">Null: "#" + the element's ID.</param>
    /// <param name="transforms">Null: enveloped-signature then exclusive c14n.</param>
    public static XmlElement Sign(XmlElement element, AsymmetricAlgorithm key, X509Certificate2? certificate,
        string signatureMethod = SamlConstants.RsaSha256, string digestMethod = SamlConstants.DigestSha256,
        string? referenceUri = null, IEnumerable<Transform>? transforms = null)
    {
        var document = element.OwnerDocument;
        var signedXml = new SignedXml(document) { SigningKey = key };
        signedXml.SignedInfo!.CanonicalizationMethod = SignedXml.XmlDsigExcC14NTransformUrl;
        signedXml.SignedInfo.SignatureMethod = signatureMethod;

        var reference = new Reference(referenceUri ?? "#" + element.GetAttribute("ID")) { DigestMethod = digestMethod };
        foreach (var transform in transforms ?? [new XmlDsigEnvelopedSignatureTransform(), new XmlDsigExcC14NTransform()])
        {
            reference.AddTransform(transform);
        }

        signedXml.AddReference(reference);
        if (certificate is not null)
        {
            var keyInfo = new KeyInfo();
            keyInfo.AddClause(new KeyInfoX509Data(certificate));
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
