using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Acs.Core.Certificates;
using Acs.Testing.TestIdp;

namespace Acs.Tests.Core.Certificates;

[TestFixture]
public sealed class CertificateParserTests
{
    private static X509Certificate2 Certificate => TestIdpKeys.Default.Certificate;

    private static string Base64 => Convert.ToBase64String(Certificate.RawData);

    [Test]
    public void Parse_WithPem_ReturnsCertificateWithThumbprintsAndValidity()
    {
        var result = CertificateParser.Parse(Certificate.ExportCertificatePem());

        Assert.That(result.IsValid, Is.True, result.Message);
        var certificate = result.Certificate!;
        Assert.Multiple(() =>
        {
            Assert.That(certificate.Der, Is.EqualTo(Certificate.RawData));
            Assert.That(certificate.ThumbprintSha256, Is.EqualTo(Convert.ToHexString(SHA256.HashData(Certificate.RawData)).ToLowerInvariant()));
            Assert.That(certificate.ThumbprintSha1, Is.EqualTo(Convert.ToHexString(SHA1.HashData(Certificate.RawData))));
            Assert.That(certificate.ThumbprintSha1, Is.EqualTo(Certificate.Thumbprint), "as Entra shows it");
            Assert.That(certificate.Subject, Is.EqualTo("CN=Microsoft Azure Federated SSO Certificate"));
            Assert.That(certificate.NotBefore, Is.EqualTo(new DateTimeOffset(Certificate.NotBefore.ToUniversalTime())));
            Assert.That(certificate.NotAfter, Is.EqualTo(new DateTimeOffset(Certificate.NotAfter.ToUniversalTime())));
            Assert.That(certificate.PublicKey, Is.InstanceOf<RSA>());
        });
    }

    [Test]
    public void Parse_WithEntraCertificateBase64File_WithCrlfAndTrailingNewline_IsAccepted()
    {
        // Entra's "Certificate (Base64)" download: PEM armour, 64-column lines, CRLF.
        var lines = Enumerable.Range(0, (Base64.Length + 63) / 64).Select(i => Base64.Substring(i * 64, Math.Min(64, Base64.Length - (i * 64))));
        var file = "-----BEGIN CERTIFICATE-----\r\n" + string.Join("\r\n", lines) + "\r\n-----END CERTIFICATE-----\r\n";

        var result = CertificateParser.Parse(file);

        Assert.That(result.IsValid, Is.True, result.Message);
        Assert.That(result.Certificate!.Der, Is.EqualTo(Certificate.RawData));
    }

    [Test]
    public void Parse_WithBareBase64OnOneLine_IsAccepted() =>
        Assert.That(CertificateParser.Parse(Base64).Certificate?.Der, Is.EqualTo(Certificate.RawData));

    [Test]
    public void Parse_WithBareBase64WithLineBreaksAndIndentation_IsAccepted()
    {
        var text = "  " + Convert.ToBase64String(Certificate.RawData, Base64FormattingOptions.InsertLineBreaks).Replace("\r\n", "\n    ", StringComparison.Ordinal) + "\n";

        Assert.That(CertificateParser.Parse(text).Certificate?.Der, Is.EqualTo(Certificate.RawData));
    }

    [Test]
    public void Parse_WithDerBytes_IsAccepted() =>
        Assert.That(CertificateParser.Parse(Certificate.RawData).Certificate?.ThumbprintSha256,
            Is.EqualTo(Convert.ToHexString(SHA256.HashData(Certificate.RawData)).ToLowerInvariant()));

    [Test]
    public void Parse_WithPemFileBytes_IsAccepted() =>
        Assert.That(CertificateParser.Parse(Encoding.ASCII.GetBytes(Certificate.ExportCertificatePem())).Certificate?.Der, Is.EqualTo(Certificate.RawData));

    [Test]
    public void Parse_WithEcdsaCertificate_IsAccepted()
    {
        var result = CertificateParser.Parse(TestIdpKeys.Ecdsa.Certificate.ExportCertificatePem());

        Assert.That(result.IsValid, Is.True, result.Message);
        Assert.That(result.Certificate!.PublicKey, Is.InstanceOf<ECDsa>());
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("   \r\n")]
    public void Parse_WithNothing_IsRefusedAsMissing(string? text) =>
        Assert.That(CertificateParser.Parse(text).ErrorCode, Is.EqualTo(CertificateErrorCodes.CertificateMissing));

    [TestCase("hello, this is not a certificate")]
    [TestCase("QUJDRA==")]
    [TestCase("-----BEGIN CERTIFICATE-----\nQUJDRA==\n-----END CERTIFICATE-----")]
    [TestCase("-----BEGIN CERTIFICATE-----\nMIIB")]
    [TestCase("-----BEGIN PUBLIC KEY-----\nQUJDRA==\n-----END PUBLIC KEY-----")]
    public void Parse_WithGarbage_IsRefusedAsMalformed(string text)
    {
        var result = CertificateParser.Parse(text);

        Assert.That(result.IsValid, Is.False);
        Assert.That(result.ErrorCode, Is.EqualTo(CertificateErrorCodes.CertificateMalformed));
    }

    [Test]
    public void Parse_WithTwoCertificateBlocks_IsRefused()
    {
        var pem = Certificate.ExportCertificatePem() + "\n" + TestIdpKeys.Attacker.Certificate.ExportCertificatePem();

        var result = CertificateParser.Parse(pem);

        Assert.That(result.ErrorCode, Is.EqualTo(CertificateErrorCodes.CertificateMalformed));
        Assert.That(result.Message, Does.Contain("exactly one"));
    }

    [Test]
    public void Parse_WithPrivateKeyPem_IsRefused()
    {
        var pem = ((RSA)TestIdpKeys.Default.Key).ExportPkcs8PrivateKeyPem();

        Assert.That(CertificateParser.Parse(pem).ErrorCode, Is.EqualTo(CertificateErrorCodes.CertificatePrivateKey));
    }

    [Test]
    public void Parse_WithCertificateAndPrivateKeyTogether_IsRefused()
    {
        var pem = Certificate.ExportCertificatePem() + "\n" + ((RSA)TestIdpKeys.Default.Key).ExportRSAPrivateKeyPem();

        Assert.That(CertificateParser.Parse(pem).ErrorCode, Is.EqualTo(CertificateErrorCodes.CertificatePrivateKey));
    }

    [Test]
    public void Parse_WithRsa1024Certificate_IsRefusedAsWeak()
    {
        using var rsa = RSA.Create(1024);
        using var weak = new CertificateRequest("CN=weak", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddYears(1));

        var result = CertificateParser.Parse(weak.ExportCertificatePem());

        Assert.That(result.ErrorCode, Is.EqualTo(CertificateErrorCodes.CertificateWeakKey));
    }

    [Test]
    public void Parse_WithDsaOrOtherKeyAlgorithm_IsRefusedAsUnsupported()
    {
        // An Ed25519-less platform cannot make one; a certificate whose key OID is unknown to .NET stands in.
        using var rsa = RSA.Create(2048);
        var generator = X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1);
        var foreignKey = new PublicKey(new System.Security.Cryptography.Oid("1.3.101.112"), new AsnEncodedData(new byte[] { 0x05, 0x00 }), new AsnEncodedData(new byte[] { 0x04, 0x20 }.Concat(new byte[32]).ToArray()));
        var request = new CertificateRequest(new X500DistinguishedName("CN=ed25519"), foreignKey, HashAlgorithmName.SHA256);
        using var certificate = request.Create(new X500DistinguishedName("CN=issuer"), generator, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddYears(1), [1, 2, 3]);

        var result = CertificateParser.Parse(certificate.RawData);

        Assert.That(result.ErrorCode, Is.EqualTo(CertificateErrorCodes.CertificateKeyUnsupported), result.Message);
    }

    [Test]
    public void Parse_WithExpiredCertificate_IsAcceptedAndSurfacesNotAfter()
    {
        using var rsa = RSA.Create(2048);
        var notAfter = DateTimeOffset.UtcNow.AddDays(-1);
        using var expired = new CertificateRequest("CN=expired", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(notAfter.AddYears(-1), notAfter);

        var result = CertificateParser.Parse(expired.RawData);

        Assert.That(result.IsValid, Is.True, result.Message);
        Assert.That(result.Certificate!.NotAfter, Is.EqualTo(notAfter).Within(TimeSpan.FromSeconds(1)));
    }

    [Test]
    public void TrustedCertificate_WithCopy_DoesNotReuseTheCachedKeyOfTheOriginal()
    {
        var original = TestIdpKeys.Default.Trusted;
        var copy = original with { Der = TestIdpKeys.Attacker.Certificate.RawData };

        var originalKey = ((RSA)original.PublicKey).ExportParameters(false).Modulus;
        var copyKey = ((RSA)copy.PublicKey).ExportParameters(false).Modulus;

        Assert.That(copyKey, Is.Not.EqualTo(originalKey));
        Assert.That(original, Is.EqualTo(original with { }), "the key cache takes no part in equality");
    }
}
