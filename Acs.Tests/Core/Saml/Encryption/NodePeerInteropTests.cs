using System.Text;
using System.Xml;
using Acs.Core.Certificates;
using Acs.Core.Saml.Bindings;
using Acs.Core.Saml.Encryption;
using Acs.Core.Saml.Metadata;
using Acs.Core.Saml.Signatures;
using Acs.Core.Saml.Validation;
using Acs.Core.Saml.Xml;

namespace Acs.Tests.Core.Saml.Encryption;

/// <summary>Responses encrypted by the Node peer (samlify / xml-encryption: AES-256-CBC, RSA-OAEP-MGF1P, the
/// EncryptedKey inside KeyInfo with the certificate's X509Data, signed by samlify before and after encryption).</summary>
[TestFixture]
[NonParallelizable]
[Category("Slow")]
public sealed class NodePeerInteropTests : EncryptedAssertionTestBase
{
    private const string Issuer = "https://sts.windows.net/11111111-2222-3333-4444-555555555555/";
    private const string SpEntityId = "https://acme.statuspage.io/";
    private const string AcsUrl = "https://acme.statuspage.io/sso/saml/consume";

    private NodePeerIdp _peer = null!;
    private TrustedCertificate? _idpCertificate;
    private string _spCertificate = "";
    private string _otherCertificate = "";

    [OneTimeSetUp]
    public void PreparePeer()
    {
        _peer = NodePeerIdp.Prepare();
        if (_peer.Unavailable is not null)
        {
            return;
        }

        var parsed = CertificateParser.Parse(File.ReadAllText(Path.Combine(_peer.IdpDirectory, "idp-cert.pem")));
        _idpCertificate = parsed.Certificate;
        _spCertificate = _peer.WriteFile("sp-cert.pem", TestSpKeys.Default.CertificatePem);
        _otherCertificate = _peer.WriteFile("other-cert.pem", TestSpKeys.OtherTenant.CertificatePem);
    }

    [OneTimeTearDown]
    public void RemovePeer() => _peer.Dispose();

    [TestCase("assertion", SignedParts.Assertion)]
    [TestCase("response", SignedParts.Response)]
    [TestCase("both", SignedParts.Response | SignedParts.Assertion)]
    public void Validate_WithResponseEncryptedBySamlify_IsAccepted(string sign, SignedParts expected)
    {
        var xml = Issue(sign, _spCertificate);

        var result = new SamlResponseValidator(TimeProvider.System).Validate(Convert.ToBase64String(xml), Settings());

        Assert.That(result.IsValid, Is.True, () => $"{result.Failure?.Code}: {result.Failure?.Message}");
        Assert.That(result.Assertion!.NameId, Is.EqualTo("jane.doe@contoso.test"));
        Assert.That(result.Assertion.SignedParts, Is.EqualTo(expected));
        Assert.That(result.Assertion.Attributes, Does.ContainKey("http://schemas.microsoft.com/identity/claims/objectidentifier"));
    }

    [Test]
    public void SamlifyOutput_IsEntraShaped()
    {
        var document = Parse(Issue("assertion", _spCertificate));

        Assert.That(Select(document, "/samlp:Response/saml:EncryptedAssertion/xenc:EncryptedData/xenc:EncryptionMethod").GetAttribute("Algorithm"),
            Is.EqualTo(XmlEncConstants.Aes256Cbc));
        Assert.That(Select(document, "//xenc:EncryptedData/ds:KeyInfo/xenc:EncryptedKey/xenc:EncryptionMethod").GetAttribute("Algorithm"),
            Is.EqualTo(XmlEncConstants.RsaOaepMgf1P));
        Assert.That(Select(document, "//xenc:EncryptedKey/ds:KeyInfo/ds:X509Data/ds:X509Certificate"), Is.Not.Null);
    }

    [Test]
    public void Validate_WithSamlifyCiphertextBitFlipped_IsRefused()
    {
        var document = Parse(Issue("assertion", _spCertificate));
        FlipBit(ContentCipherValue(document), 64);

        AssertRefused(Validate(document), SamlErrorCodes.AssertionDecryptionFailed);
    }

    [Test]
    public void Validate_WithSamlifyCiphertextBitFlippedInASignedResponse_IsRefusedByTheSignature()
    {
        var document = Parse(Issue("response", _spCertificate));
        FlipBit(ContentCipherValue(document), 64);

        AssertRefused(Validate(document), SamlErrorCodes.SignatureInvalid);
    }

    [Test]
    public void Validate_WithSamlifyWrappedKeySwapped_IsRefused()
    {
        var document = Parse(Issue("assertion", _spCertificate));
        var other = Parse(Issue("assertion", _spCertificate));
        WrappedKeyCipherValue(document).InnerText = WrappedKeyCipherValue(other).InnerText;

        AssertRefused(Validate(document), SamlErrorCodes.AssertionDecryptionFailed);
    }

    [Test]
    public void Validate_WithSamlifyResponseEncryptedForAnotherTenant_IsRefused()
    {
        var document = Parse(Issue("assertion", _otherCertificate));

        AssertDecryptionFailed(Validate(document), "not one of this site's");
    }

    [Test]
    public void Validate_WithPlainSamlifyResponseWhenEncryptionIsRequired_IsRefused()
    {
        var xml = Issue("assertion", encryptFor: null);

        var result = new SamlResponseValidator(TimeProvider.System).ValidateXml(xml, Settings() with { EncryptedAssertions = EncryptedAssertionPolicy.Required });

        AssertRefused(result, SamlErrorCodes.AssertionNotEncrypted);
    }

    private SamlValidationSettings Settings() =>
        new(SpEntityId, AcsUrl, Issuer, [_idpCertificate!]) { DecryptionKeys = [TestSpKeys.Default.DecryptionKey] };

    private SamlValidationResult Validate(XmlDocument document) =>
        new SamlResponseValidator(TimeProvider.System).ValidateXml(Encoding.UTF8.GetBytes(document.OuterXml), Settings());

    private byte[] Issue(string sign, string? encryptFor)
    {
        string[] options = ["--issuer", Issuer, "--destination", AcsUrl, "--audience", SpEntityId, "--name-id", "jane.doe@contoso.test", "--sign", sign];
        return _peer.Issue(encryptFor is null ? options : [.. options, "--encrypt-cert", encryptFor]);
    }

    private static XmlDocument Parse(byte[] xml)
    {
        var document = new XmlDocument { PreserveWhitespace = true };
        document.LoadXml(Encoding.UTF8.GetString(xml));
        return document;
    }
}
