using System.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Xml;
using Acs.Core.Saml.Bindings;
using Acs.Core.Saml.Encryption;
using Acs.Core.Saml.Metadata;
using Acs.Core.Saml.Signatures;
using Acs.Core.Saml.Validation;
using Acs.Core.Saml.Xml;
using Acs.Testing.TestIdp;

namespace Acs.Tests.Core.Saml.Encryption;

/// <summary>An SP encryption key pair with its self-signed certificate, made once per test run.</summary>
public sealed class TestSpKeys
{
    private static readonly Lazy<TestSpKeys> LazyDefault = new(() => Create("acme SAML token encryption", 3072));
    private static readonly Lazy<TestSpKeys> LazyNext = new(() => Create("acme SAML token encryption (next)", 2048));
    private static readonly Lazy<TestSpKeys> LazyOtherTenant = new(() => Create("globex SAML token encryption", 2048));
    private static readonly Lazy<TestSpKeys> LazyOtherTenant3072 = new(() => Create("initech SAML token encryption", 3072));

    private TestSpKeys(RSA rsa, X509Certificate2 certificate)
    {
        Rsa = rsa;
        Certificate = certificate;
        DecryptionKey = new SamlDecryptionKey(Guid.NewGuid(), certificate.RawData, Convert.ToHexStringLower(SHA256.HashData(certificate.RawData)), rsa);
    }

    /// <summary>The tenant's active key (RSA-3072, as the service generates them).</summary>
    public static TestSpKeys Default => LazyDefault.Value;

    /// <summary>The tenant's second key, as during a rollover.</summary>
    public static TestSpKeys Next => LazyNext.Value;

    /// <summary>Another tenant's key.</summary>
    public static TestSpKeys OtherTenant => LazyOtherTenant.Value;

    /// <summary>Another tenant's key of the default key's size, so its wrapped keys have the right length.</summary>
    public static TestSpKeys OtherTenantSized3072 => LazyOtherTenant3072.Value;

    public RSA Rsa { get; }

    /// <summary>The certificate alone, as the IdP has it.</summary>
    public X509Certificate2 Certificate { get; }

    public SamlDecryptionKey DecryptionKey { get; }

    public string CertificatePem => Certificate.ExportCertificatePem();

    public static TestSpKeys Create(string commonName, int keySize)
    {
        var rsa = RSA.Create(keySize);
        var request = new CertificateRequest($"CN={commonName}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var withKey = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(3));
        return new TestSpKeys(rsa, X509CertificateLoader.LoadCertificate(withKey.RawData));
    }
}

/// <summary>How the test encryptor builds an EncryptedAssertion. Defaults are Entra's: AES-256-CBC, the content key
/// wrapped with RSA-OAEP-MGF1P (SHA-1), the EncryptedKey inside KeyInfo naming the SP certificate by X509Data.</summary>
public sealed record EncryptionOptions
{
    public string ContentAlgorithm { get; init; } = XmlEncConstants.Aes256Cbc;

    public string KeyTransport { get; init; } = XmlEncConstants.RsaOaepMgf1P;

    /// <summary>The DigestMethod written inside the key transport's EncryptionMethod; null writes none.</summary>
    public string? OaepDigest { get; init; } = XmlEncConstants.DigestSha1;

    /// <summary>The xenc11:MGF algorithm (xmlenc11#rsa-oaep only); null writes none.</summary>
    public string? Mgf { get; init; }

    /// <summary>The padding RSA really uses; by default the one the algorithm URIs name.</summary>
    public RSAEncryptionPadding? Padding { get; init; }

    /// <summary>The EncryptedKey beside the EncryptedData, referenced by a RetrievalMethod (Shibboleth's layout).</summary>
    public bool KeyAsSibling { get; init; }

    public bool NameCertificate { get; init; } = true;

    /// <summary>The certificate named in the EncryptedKey's KeyInfo; by default the recipient's.</summary>
    public X509Certificate2? NamedCertificate { get; init; }

    public static EncryptionOptions Gcm => new() { ContentAlgorithm = XmlEncConstants.Aes256Gcm };
}

/// <summary>
/// The test side's own XML Encryption, written for these tests on System.Security.Cryptography (independent of the
/// service's decryptor: it shares no code with it). xmlsec1 and the Node peer are the independent encryptors of the
/// interoperability tests; this one makes the shapes and faults they cannot.
/// </summary>
public static class TestEncryptor
{
    public const string XencPrefix = "xenc";

    /// <summary>Replaces the document's Assertion by an EncryptedAssertion of it for <paramref name="recipient"/>.</summary>
    public static XmlElement EncryptAssertion(XmlDocument response, TestSpKeys recipient, EncryptionOptions? options = null) =>
        EncryptAssertion(response, recipient.Certificate, options);

    public static XmlElement EncryptAssertion(XmlDocument response, X509Certificate2 recipient, EncryptionOptions? options = null)
    {
        var assertion = ResponseMutations.Assertion(response);
        var encrypted = Encrypt(response, Encoding.UTF8.GetBytes(assertion.OuterXml), recipient, options);
        assertion.ParentNode!.ReplaceChild(encrypted, assertion);
        return encrypted;
    }

    /// <summary>An EncryptedAssertion element (owned by <paramref name="owner"/>, not inserted) holding <paramref name="plaintext"/>.</summary>
    public static XmlElement Encrypt(XmlDocument owner, byte[] plaintext, TestSpKeys recipient, EncryptionOptions? options = null) =>
        Encrypt(owner, plaintext, recipient.Certificate, options);

    /// <summary>The same for a certificate alone, as the IdP has it (e.g. downloaded from the admin API).</summary>
    public static XmlElement Encrypt(XmlDocument owner, byte[] plaintext, X509Certificate2 recipient, EncryptionOptions? options = null)
    {
        options ??= new EncryptionOptions();
        var (keyBytes, gcm) = options.ContentAlgorithm switch
        {
            XmlEncConstants.Aes128Cbc => (16, false),
            XmlEncConstants.Aes192Cbc => (24, false),
            XmlEncConstants.Aes256Cbc => (32, false),
            XmlEncConstants.Aes128Gcm => (16, true),
            XmlEncConstants.Aes192Gcm => (24, true),
            XmlEncConstants.Aes256Gcm => (32, true),
            _ => (32, false),
        };
        var contentKey = RandomNumberGenerator.GetBytes(keyBytes);
        var cipherValue = gcm ? EncryptGcm(contentKey, plaintext) : EncryptCbc(contentKey, plaintext);
        using var publicKey = recipient.GetRSAPublicKey()!;
        var wrappedKey = Wrap(publicKey, contentKey, options);
        return Element(owner, options, Convert.ToBase64String(cipherValue), Convert.ToBase64String(wrappedKey),
            options.NamedCertificate ?? recipient);
    }

    public static byte[] Wrap(RSA publicKey, byte[] contentKey, EncryptionOptions options)
    {
        var padding = options.Padding ?? (options.KeyTransport, options.OaepDigest) switch
        {
            (XmlEncConstants.Rsa15, _) => RSAEncryptionPadding.Pkcs1,
            (XmlEncConstants.RsaOaep, XmlEncConstants.DigestSha256) => RSAEncryptionPadding.OaepSHA256,
            _ => RSAEncryptionPadding.OaepSHA1,
        };
        using var publicOnly = RSA.Create(publicKey.ExportParameters(includePrivateParameters: false));
        return publicOnly.Encrypt(contentKey, padding);
    }

    /// <summary>CBC as XML Encryption specifies it: random IV first, random padding bytes, the last one the count.</summary>
    public static byte[] EncryptCbc(byte[] key, byte[] plaintext)
    {
        var padding = 16 - plaintext.Length % 16;
        var padded = new byte[plaintext.Length + padding];
        plaintext.CopyTo(padded, 0);
        RandomNumberGenerator.Fill(padded.AsSpan(plaintext.Length, padding - 1));
        padded[^1] = (byte)padding;
        using var aes = Aes.Create();
        aes.Key = key;
        var iv = RandomNumberGenerator.GetBytes(16);
        return [.. iv, .. aes.EncryptCbc(padded, iv, PaddingMode.None)];
    }

    public static byte[] EncryptGcm(byte[] key, byte[] plaintext)
    {
        var nonce = RandomNumberGenerator.GetBytes(12);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[16];
        using var gcm = new AesGcm(key, 16);
        gcm.Encrypt(nonce, plaintext, ciphertext, tag);
        return [.. nonce, .. ciphertext, .. tag];
    }

    private static XmlElement Element(XmlDocument owner, EncryptionOptions options, string cipherValue, string wrappedKey, X509Certificate2 named)
    {
        var digest = options.OaepDigest is null ? "" : $"""<ds:DigestMethod Algorithm="{options.OaepDigest}"/>""";
        var mgf = options.Mgf is null ? "" : $"""<xenc11:MGF xmlns:xenc11="{XmlEncConstants.Namespace11}" Algorithm="{options.Mgf}"/>""";
        var keyInfo = options.NameCertificate
            ? $"<ds:KeyInfo><ds:X509Data><ds:X509Certificate>{Convert.ToBase64String(named.RawData)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>"
            : "";
        var encryptedKey = $"""<xenc:EncryptedKey{(options.KeyAsSibling ? " Id=\"_ek1\"" : "")}><xenc:EncryptionMethod Algorithm="{SecurityElement.Escape(options.KeyTransport)}">{digest}{mgf}</xenc:EncryptionMethod>{keyInfo}<xenc:CipherData><xenc:CipherValue>{wrappedKey}</xenc:CipherValue></xenc:CipherData></xenc:EncryptedKey>""";
        var dataKeyInfo = options.KeyAsSibling
            ? $"""<ds:RetrievalMethod Type="{XmlEncConstants.TypeEncryptedKey}" URI="#_ek1"/>"""
            : encryptedKey;
        var xml = $"""
            <saml:EncryptedAssertion xmlns:saml="{SamlConstants.AssertionNamespace}" xmlns:xenc="{XmlEncConstants.Namespace}" xmlns:ds="{SamlConstants.XmlDsigNamespace}">
              <xenc:EncryptedData Type="{XmlEncConstants.TypeElement}">
                <xenc:EncryptionMethod Algorithm="{SecurityElement.Escape(options.ContentAlgorithm)}"/>
                <ds:KeyInfo>{dataKeyInfo}</ds:KeyInfo>
                <xenc:CipherData><xenc:CipherValue>{cipherValue}</xenc:CipherValue></xenc:CipherData>
              </xenc:EncryptedData>{(options.KeyAsSibling ? encryptedKey : "")}
            </saml:EncryptedAssertion>
            """;
        var fragment = new XmlDocument { PreserveWhitespace = true };
        fragment.LoadXml(xml);
        return (XmlElement)owner.ImportNode(fragment.DocumentElement!, deep: true);
    }
}

/// <summary>Entra-shaped responses with the assertion encrypted, in each signing mode: the assertion is signed before
/// it is encrypted, the Response after (Entra's order, and the only one in which a Response signature can verify).</summary>
public static class EncryptedResponses
{
    public static XmlDocument Build(TestResponseBuilder builder, SignMode mode, TestSpKeys? recipient = null, EncryptionOptions? options = null) =>
        Build(builder, mode, (recipient ?? TestSpKeys.Default).Certificate, options);

    public static XmlDocument Build(TestResponseBuilder builder, SignMode mode, X509Certificate2 recipient, EncryptionOptions? options = null)
    {
        var document = BuildSignedAssertion(builder, mode);
        TestEncryptor.EncryptAssertion(document, recipient, options);
        return SignResponse(document, builder, mode);
    }

    /// <summary>The response with only the assertion signed (when the mode signs it), ready to be encrypted.</summary>
    public static XmlDocument BuildSignedAssertion(TestResponseBuilder builder, SignMode mode)
    {
        builder.Sign = mode is SignMode.Assertion or SignMode.Both ? SignMode.Assertion : SignMode.None;
        return builder.Build();
    }

    public static XmlDocument SignResponse(XmlDocument document, TestResponseBuilder builder, SignMode mode)
    {
        if (mode is SignMode.Response or SignMode.Both)
        {
            TestSigner.Sign(document.DocumentElement!, builder.ResponseSignature);
        }

        return document;
    }

    public static SamlValidationSettings Settings(params TestSpKeys[] keys) =>
        TestResponseBuilder.Settings() with
        {
            DecryptionKeys = (keys.Length == 0 ? [TestSpKeys.Default] : keys).Select(k => k.DecryptionKey).ToList(),
        };
}
