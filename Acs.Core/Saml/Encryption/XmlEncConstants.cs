using Acs.Core.Saml.Xml;
namespace Acs.Core.Saml.Encryption;

/// <summary>XML Encryption namespaces and the algorithm URIs the decryptor recognises. Anything else is refused.</summary>
public static class XmlEncConstants
{
    public const string Namespace = "http://www.w3.org/2001/04/xmlenc#";
    public const string Namespace11 = "http://www.w3.org/2009/xmlenc11#";

    public const string TypeElement = "http://www.w3.org/2001/04/xmlenc#Element";
    public const string TypeEncryptedKey = "http://www.w3.org/2001/04/xmlenc#EncryptedKey";

    public const string Aes128Cbc = "http://www.w3.org/2001/04/xmlenc#aes128-cbc";
    public const string Aes192Cbc = "http://www.w3.org/2001/04/xmlenc#aes192-cbc";
    public const string Aes256Cbc = "http://www.w3.org/2001/04/xmlenc#aes256-cbc";
    public const string Aes128Gcm = "http://www.w3.org/2009/xmlenc11#aes128-gcm";
    public const string Aes192Gcm = "http://www.w3.org/2009/xmlenc11#aes192-gcm";
    public const string Aes256Gcm = "http://www.w3.org/2009/xmlenc11#aes256-gcm";

    public const string RsaOaepMgf1P = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p";
    public const string RsaOaep = "http://www.w3.org/2009/xmlenc11#rsa-oaep";

    /// <summary>RSA PKCS#1 v1.5 key transport: refused (Bleichenbacher's padding oracle).</summary>
    public const string Rsa15 = "http://www.w3.org/2001/04/xmlenc#rsa-1_5";

    public const string Mgf1Sha1 = "http://www.w3.org/2009/xmlenc11#mgf1sha1";
    public const string Mgf1Sha256 = "http://www.w3.org/2009/xmlenc11#mgf1sha256";

    public const string DigestSha1 = SamlConstants.DigestSha1;
    public const string DigestSha256 = SamlConstants.DigestSha256;
}

/// <summary>
/// Whether a tenant accepts plain assertions. <see cref="Optional"/>: plain or encrypted; <see cref="Required"/>: a
/// plain assertion is refused with <c>assertion_not_encrypted</c>.
/// </summary>
public enum EncryptedAssertionPolicy
{
    Optional,
    Required,
}

/// <summary>The policy's names in the admin API and the database.</summary>
public static class EncryptedAssertionPolicies
{
    public const string Optional = "optional";
    public const string Required = "required";

    public static bool TryParse(string? value, out EncryptedAssertionPolicy policy)
    {
        switch (value)
        {
            case Optional:
                policy = EncryptedAssertionPolicy.Optional;
                return true;
            case Required:
                policy = EncryptedAssertionPolicy.Required;
                return true;
            default:
                policy = EncryptedAssertionPolicy.Optional;
                return false;
        }
    }

    public static string Name(EncryptedAssertionPolicy policy) => policy == EncryptedAssertionPolicy.Required ? Required : Optional;
}
