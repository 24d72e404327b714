using System.Xml;
using Acs.Core.Saml.Bindings;
using Acs.Core.Saml.Encryption;
using Acs.Core.Saml.Metadata;
using Acs.Core.Saml.Signatures;
using Acs.Core.Saml.Validation;
using Acs.Core.Saml.Xml;
using Acs.Testing.TestIdp;

namespace Acs.Tests.Core.Saml.Encryption;

/// <summary>Responses encrypted by xmlsec1, an implementation independent of ours: Entra's exact shape (AES-256-CBC,
/// RSA-OAEP-MGF1P, EncryptedKey inside KeyInfo with the certificate's X509Data) and AES-GCM are accepted in every
/// signing mode; each tampering is refused with its documented code.</summary>
[TestFixture]
[NonParallelizable]
public sealed class Xmlsec1InteropTests : EncryptedAssertionTestBase
{
    [OneTimeSetUp]
    public void RequireXmlsec1() => Xmlsec1Encryptor.Require();

    [TestCase(SignMode.Assertion, XmlEncConstants.Aes256Cbc, SignedParts.Assertion)]
    [TestCase(SignMode.Response, XmlEncConstants.Aes256Cbc, SignedParts.Response)]
    [TestCase(SignMode.Both, XmlEncConstants.Aes256Cbc, SignedParts.Response | SignedParts.Assertion)]
    [TestCase(SignMode.Assertion, XmlEncConstants.Aes256Gcm, SignedParts.Assertion)]
    [TestCase(SignMode.Response, XmlEncConstants.Aes256Gcm, SignedParts.Response)]
    [TestCase(SignMode.Both, XmlEncConstants.Aes256Gcm, SignedParts.Response | SignedParts.Assertion)]
    [TestCase(SignMode.Assertion, XmlEncConstants.Aes128Cbc, SignedParts.Assertion)]
    [TestCase(SignMode.Assertion, XmlEncConstants.Aes128Gcm, SignedParts.Assertion)]
    [TestCase(SignMode.Assertion, XmlEncConstants.Aes192Gcm, SignedParts.Assertion)]
    public void Validate_WithResponseEncryptedByXmlsec1_IsAccepted(SignMode mode, string algorithm, SignedParts expected)
    {
        var builder = new TestResponseBuilder();

        var assertion = AssertAccepted(ValidateEncrypted(Encrypt(builder, mode, algorithm)));

        Assert.That(assertion.NameId, Is.EqualTo("jane.doe@contoso.test"));
        Assert.That(assertion.AssertionId, Is.EqualTo(builder.AssertionId));
        Assert.That(assertion.SignedParts, Is.EqualTo(expected));
    }

    [Test]
    public void Xmlsec1Output_HasEntrasShape()
    {
        var document = Encrypt(new TestResponseBuilder(), SignMode.Assertion, XmlEncConstants.Aes256Cbc);

        Assert.That(Select(document, "/samlp:Response/saml:EncryptedAssertion/xenc:EncryptedData/xenc:EncryptionMethod").GetAttribute("Algorithm"),
            Is.EqualTo(XmlEncConstants.Aes256Cbc));
        var encryptedKey = Select(document, "/samlp:Response/saml:EncryptedAssertion/xenc:EncryptedData/ds:KeyInfo/xenc:EncryptedKey");
        Assert.That(((XmlElement)encryptedKey.SelectSingleNode("xenc:EncryptionMethod", Namespaces(document))!).GetAttribute("Algorithm"),
            Is.EqualTo(XmlEncConstants.RsaOaepMgf1P));
        // xmlsec1 breaks the base64 into lines; the decoded certificate is the SP's.
        Assert.That(Convert.FromBase64String(encryptedKey.SelectSingleNode("ds:KeyInfo/ds:X509Data/ds:X509Certificate", Namespaces(document))!.InnerText),
            Is.EqualTo(TestSpKeys.Default.Certificate.RawData));
        Assert.That(document.GetElementsByTagName("Assertion", SamlConstants.AssertionNamespace).Count, Is.Zero, "no plaintext assertion left");
    }

    [Test]
    public void Validate_WithXmlsec1ResponseForTheDecryptOnlyKeyOfTwo_IsAccepted()
    {
        var document = Encrypt(new TestResponseBuilder(), SignMode.Assertion, XmlEncConstants.Aes256Cbc, TestSpKeys.Next);

        AssertAccepted(ValidateEncrypted(document, EncryptedResponses.Settings(TestSpKeys.Default, TestSpKeys.Next)));
    }

    [Test]
    public void Validate_WithXmlsec1ResponseForAKeyNotConfigured_IsRefused() =>
        AssertDecryptionFailed(ValidateEncrypted(Encrypt(new TestResponseBuilder(), SignMode.Assertion, XmlEncConstants.Aes256Cbc, TestSpKeys.OtherTenant)),
            "not one of this site's");

    [Test]
    public void Validate_WithXmlsec1Pkcs1V15KeyTransport_IsRefused()
    {
        var builder = new TestResponseBuilder();
        var document = Xmlsec1Encryptor.EncryptAssertion(EncryptedResponses.BuildSignedAssertion(builder, SignMode.Assertion), TestSpKeys.Default.Certificate,
            keyTransport: XmlEncConstants.Rsa15);

        AssertRefused(ValidateEncrypted(document), SamlErrorCodes.EncryptionAlgorithmNotAllowed);
    }

    [TestCase(XmlEncConstants.Aes256Cbc, 40)]
    [TestCase(XmlEncConstants.Aes256Cbc, -1)]
    [TestCase(XmlEncConstants.Aes256Gcm, 40)]
    [TestCase(XmlEncConstants.Aes256Gcm, -1)]
    public void Validate_WithXmlsec1CiphertextBitFlipped_IsRefused(string algorithm, int index)
    {
        var document = Encrypt(new TestResponseBuilder(), SignMode.Assertion, algorithm);
        FlipBit(ContentCipherValue(document), index);

        AssertRefused(ValidateEncrypted(document), SamlErrorCodes.AssertionDecryptionFailed);
    }

    [Test]
    public void Validate_WithXmlsec1CiphertextBitFlippedInASignedResponse_IsRefusedByTheSignature()
    {
        var document = Encrypt(new TestResponseBuilder(), SignMode.Both, XmlEncConstants.Aes256Cbc);
        FlipBit(ContentCipherValue(document), 40);

        AssertRefused(ValidateEncrypted(document), SamlErrorCodes.SignatureInvalid);
    }

    [Test]
    public void Validate_WithXmlsec1WrappedKeySwappedForOneFromAnotherResponse_IsRefused()
    {
        var document = Encrypt(new TestResponseBuilder(), SignMode.Assertion, XmlEncConstants.Aes256Cbc);
        var other = Encrypt(new TestResponseBuilder(), SignMode.Assertion, XmlEncConstants.Aes256Cbc);
        WrappedKeyCipherValue(document).InnerText = WrappedKeyCipherValue(other).InnerText;

        AssertRefused(ValidateEncrypted(document), SamlErrorCodes.AssertionDecryptionFailed);
    }

    [Test]
    public void Validate_WithXmlsec1EncryptedAssertionWithoutAnySignature_IsRefused()
    {
        AssertDecryptionFailed(ValidateEncrypted(Encrypt(new TestResponseBuilder(), SignMode.None, XmlEncConstants.Aes256Cbc)), SamlErrorCodes.SignatureMissing);
        AssertRefused(ValidateEncrypted(Encrypt(new TestResponseBuilder(), SignMode.None, XmlEncConstants.Aes256Gcm)), SamlErrorCodes.SignatureMissing);
    }

    [Test]
    public void Validate_WithXmlsec1EncryptedAssertionForAnotherAudience_GetsTheAssertionRules() =>
        AssertRefused(ValidateEncrypted(Encrypt(new TestResponseBuilder { Audience = "https://other.statuspage.io/" }, SignMode.Assertion, XmlEncConstants.Aes256Cbc)),
            SamlErrorCodes.AudienceMismatch);

    private static XmlDocument Encrypt(TestResponseBuilder builder, SignMode mode, string algorithm, TestSpKeys? recipient = null)
    {
        var document = EncryptedResponses.BuildSignedAssertion(builder, mode);
        var encrypted = Xmlsec1Encryptor.EncryptAssertion(document, (recipient ?? TestSpKeys.Default).Certificate, algorithm);
        return EncryptedResponses.SignResponse(encrypted, builder, mode);
    }
}
