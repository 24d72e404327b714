namespace Acs.Core.Saml.Xml;

/// <summary>Namespaces and algorithm URIs the validator recognises. Anything not listed here is refused.</summary>
public static class SamlConstants
{
    public const string ProtocolNamespace = "urn:oasis:names:tc:SAML:2.0:protocol";
    public const string AssertionNamespace = "urn:oasis:names:tc:SAML:2.0:assertion";
    public const string XmlDsigNamespace = "http://www.w3.org/2000/09/xmldsig#";
    public const string ExcC14NNamespace = "http://www.w3.org/2001/10/xml-exc-c14n#";

    public const string Version = "2.0";
    public const string StatusSuccess = "urn:oasis:names:tc:SAML:2.0:status:Success";
    public const string BearerMethod = "urn:oasis:names:tc:SAML:2.0:cm:bearer";

    public const string ExclusiveC14N = "http://www.w3.org/2001/10/xml-exc-c14n#";
    public const string EnvelopedSignatureTransform = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";

    public const string RsaSha1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
    public const string RsaSha256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
    public const string RsaSha384 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384";
    public const string RsaSha512 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512";
    public const string EcdsaSha256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";
    public const string EcdsaSha384 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384";
    public const string EcdsaSha512 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512";

    public const string DigestSha1 = "http://www.w3.org/2000/09/xmldsig#sha1";
    public const string DigestSha256 = "http://www.w3.org/2001/04/xmlenc#sha256";
    public const string DigestSha384 = "http://www.w3.org/2001/04/xmldsig-more#sha384";
    public const string DigestSha512 = "http://www.w3.org/2001/04/xmlenc#sha512";
}
