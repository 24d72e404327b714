using System.Security.Cryptography;
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

/// <summary>Rule 7, encrypted form: decryption with the tenant's keys, allow-lists, placement, policy, and every rule of
/// a plain assertion on the decrypted one. The encryptor here is the tests' own; see the interop tests for xmlsec1 and
/// the Node peer.</summary>
[TestFixture]
public sealed class EncryptedAssertionValidationTests : EncryptedAssertionTestBase
{
    [TestCase(SignMode.Assertion, SignedParts.Assertion)]
    [TestCase(SignMode.Response, SignedParts.Response)]
    [TestCase(SignMode.Both, SignedParts.Response | SignedParts.Assertion)]
    public void Validate_WithEntraShapedEncryptedAssertion_IsAccepted(SignMode mode, SignedParts expected)
    {
        var builder = new TestResponseBuilder();

        var assertion = AssertAccepted(ValidateEncrypted(EncryptedResponses.Build(builder, mode)));

        Assert.That(assertion.NameId, Is.EqualTo("jane.doe@contoso.test"));
        Assert.That(assertion.AssertionId, Is.EqualTo(builder.AssertionId));
        Assert.That(assertion.ResponseId, Is.EqualTo(builder.ResponseId));
        Assert.That(assertion.SignedParts, Is.EqualTo(expected));
        Assert.That(assertion.Attributes[TestResponseBuilder.ClaimObjectId], Is.EqualTo(new[] { "9f5c3e2a-7d41-4c8e-b0f6-2a1d3c4b5e6f" }));
    }

    [TestCase(XmlEncConstants.Aes128Cbc)]
    [TestCase(XmlEncConstants.Aes256Cbc)]
    [TestCase(XmlEncConstants.Aes128Gcm)]
    [TestCase(XmlEncConstants.Aes192Gcm)]
    [TestCase(XmlEncConstants.Aes256Gcm)]
    public void Validate_WithEachAllowedContentAlgorithm_IsAccepted(string algorithm)
    {
        var document = EncryptedResponses.Build(new TestResponseBuilder(), SignMode.Assertion, options: new EncryptionOptions { ContentAlgorithm = algorithm });

        AssertAccepted(ValidateEncrypted(document));
    }

    [TestCase(XmlEncConstants.RsaOaepMgf1P, XmlEncConstants.DigestSha1, null)]
    [TestCase(XmlEncConstants.RsaOaepMgf1P, null, null)]
    [TestCase(XmlEncConstants.RsaOaep, null, null)]
    [TestCase(XmlEncConstants.RsaOaep, XmlEncConstants.DigestSha1, XmlEncConstants.Mgf1Sha1)]
    [TestCase(XmlEncConstants.RsaOaep, XmlEncConstants.DigestSha256, XmlEncConstants.Mgf1Sha256)]
    public void Validate_WithEachAllowedKeyTransport_IsAccepted(string transport, string? digest, string? mgf)
    {
        var options = new EncryptionOptions { KeyTransport = transport, OaepDigest = digest, Mgf = mgf };

        AssertAccepted(ValidateEncrypted(EncryptedResponses.Build(new TestResponseBuilder(), SignMode.Assertion, options: options)));
    }

    [Test]
    public void Validate_WithEncryptedKeyBesideTheDataReferencedByRetrievalMethod_IsAccepted()
    {
        var document = EncryptedResponses.Build(new TestResponseBuilder(), SignMode.Assertion, options: new EncryptionOptions { KeyAsSibling = true });

        AssertAccepted(ValidateEncrypted(document));
    }

    [Test]
    public void Validate_WithEncryptedKeyNamingNoCertificate_IsAcceptedByTryingEachKey()
    {
        var document = EncryptedResponses.Build(new TestResponseBuilder(), SignMode.Assertion, TestSpKeys.Next, new EncryptionOptions { NameCertificate = false });

        AssertAccepted(ValidateEncrypted(document, EncryptedResponses.Settings(TestSpKeys.Default, TestSpKeys.Next)));
    }

    [Test]
    public void Validate_WithAssertionEncryptedForTheSecondOfTwoKeys_IsAccepted()
    {
        var document = EncryptedResponses.Build(new TestResponseBuilder(), SignMode.Assertion, TestSpKeys.Next);

        AssertAccepted(ValidateEncrypted(document, EncryptedResponses.Settings(TestSpKeys.Default, TestSpKeys.Next)));
    }

    [Test]
    public void Validate_WithAssertionEncryptedForAKeyTheSiteNoLongerHas_IsRefused()
    {
        var document = EncryptedResponses.Build(new TestResponseBuilder(), SignMode.Assertion, TestSpKeys.Next);

        var result = ValidateEncrypted(document, EncryptedResponses.Settings(TestSpKeys.Default));

        AssertDecryptionFailed(result, "which is not one of this site's active or decrypt-only keys");
        Assert.That(result.Failure!.Received, Is.EqualTo(TestSpKeys.Next.DecryptionKey.ThumbprintSha256));
        Assert.That(result.Failure.Expected, Is.EqualTo(TestSpKeys.Default.DecryptionKey.ThumbprintSha256));
    }

    [Test]
    public void Validate_WithAssertionEncryptedForAnotherTenantsKey_IsRefused()
    {
        var document = EncryptedResponses.Build(new TestResponseBuilder(), SignMode.Assertion, TestSpKeys.OtherTenant);

        AssertDecryptionFailed(ValidateEncrypted(document), "not one of this site's");
    }

    [Test]
    public void Validate_WithAnotherTenantsKeyButOurCertificateNamed_IsRefused()
    {
        var options = new EncryptionOptions { NamedCertificate = TestSpKeys.Default.Certificate };
        var document = EncryptedResponses.Build(new TestResponseBuilder(), SignMode.Assertion, TestSpKeys.OtherTenant, options);

        AssertDecryptionFailed(ValidateEncrypted(document), "the wrapped content key is 256 bytes");
    }

    [Test]
    public void Validate_WithKeyWhosePrivateKeyCannotBeUnsealed_IsRefused()
    {
        var sealedAway = new SamlDecryptionKey(Guid.NewGuid(), TestSpKeys.Default.Certificate.RawData, TestSpKeys.Default.DecryptionKey.ThumbprintSha256, null);
        var document = EncryptedResponses.Build(new TestResponseBuilder(), SignMode.Assertion);

        var result = ValidateEncrypted(document, TestResponseBuilder.Settings() with { DecryptionKeys = [sealedAway] });

        AssertDecryptionFailed(result, "cannot be unsealed");
    }

    [Test]
    public void Validate_WithEncryptedAssertionButNoSpKey_IsRefusedAsUnsupported()
    {
        var document = EncryptedResponses.Build(new TestResponseBuilder(), SignMode.Assertion);

        AssertRefused(Validate(document, TestResponseBuilder.Settings()), SamlErrorCodes.AssertionEncryptedUnsupported);
    }

    [Test]
    public void Validate_ManyAtOnceWithOneKey_AllDecrypt()
    {
        var documents = Enumerable.Range(0, 16).Select(_ => Bytes(EncryptedResponses.Build(new TestResponseBuilder(), SignMode.Assertion))).ToList();
        var validator = new SamlResponseValidator(new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TestResponseBuilder.Now));
        var settings = EncryptedResponses.Settings();

        var results = documents.AsParallel().WithDegreeOfParallelism(8).Select(d => validator.ValidateXml(d, settings)).ToList();

        Assert.That(results.Select(r => r.Failure?.Code), Has.All.Null);
    }

    // ---- policy ----

    [Test]
    public void Validate_WithPlainAssertionWhenEncryptionIsRequired_IsRefused()
    {
        var settings = EncryptedResponses.Settings() with { EncryptedAssertions = EncryptedAssertionPolicy.Required };

        AssertRefused(Validate(new TestResponseBuilder(), settings), SamlErrorCodes.AssertionNotEncrypted);
    }

    [Test]
    public void Validate_WithEncryptedAssertionWhenEncryptionIsRequired_IsAccepted()
    {
        var settings = EncryptedResponses.Settings() with { EncryptedAssertions = EncryptedAssertionPolicy.Required };

        AssertAccepted(Validate(EncryptedResponses.Build(new TestResponseBuilder(), SignMode.Assertion), settings));
    }

    [Test]
    public void Validate_WithPlainAssertionWhenEncryptionIsOptional_IsAccepted() =>
        AssertAccepted(Validate(new TestResponseBuilder(), EncryptedResponses.Settings()));

    [Test]
    public void Validate_WithNoAssertionAtAllWhenEncryptionIsRequired_IsRefusedAsMissing()
    {
        var document = new TestResponseBuilder { Sign = SignMode.None }.BuildUnsigned();
        document.DocumentElement!.RemoveChild(ResponseMutations.Assertion(document));

        AssertRefused(Validate(document, EncryptedResponses.Settings() with { EncryptedAssertions = EncryptedAssertionPolicy.Required }),
            SamlErrorCodes.AssertionMissing);
    }

    // ---- placement ----

    [Test]
    public void Validate_WithTwoEncryptedAssertions_IsRefused()
    {
        var document = EncryptedResponses.Build(new TestResponseBuilder(), SignMode.Assertion);
        var second = TestEncryptor.Encrypt(document, Encoding.UTF8.GetBytes("<Assertion xmlns=\"urn:oasis:names:tc:SAML:2.0:assertion\"/>"), TestSpKeys.Default);
        document.DocumentElement!.AppendChild(second);

        AssertRefused(ValidateEncrypted(document), SamlErrorCodes.AssertionMultiple);
    }

    [Test]
    public void Validate_WithPlainAndEncryptedAssertion_IsRefused()
    {
        var builder = new TestResponseBuilder();
        var document = EncryptedResponses.Build(builder, SignMode.Assertion);
        var plain = new TestResponseBuilder { AssertionId = "_plain" }.Build();
        document.DocumentElement!.AppendChild(document.ImportNode(ResponseMutations.Assertion(plain), deep: true));

        AssertRefused(ValidateEncrypted(document), SamlErrorCodes.AssertionMultiple);
    }

    [Test]
    public void Validate_WithPlainAssertionHiddenInsideTheEncryptedAssertion_IsRefused()
    {
        var document = EncryptedResponses.Build(new TestResponseBuilder(), SignMode.Assertion);
        var plain = new TestResponseBuilder { AssertionId = "_plain" }.Build();
        EncryptedAssertion(document).AppendChild(document.ImportNode(ResponseMutations.Assertion(plain), deep: true));

        AssertRefused(ValidateEncrypted(document), SamlErrorCodes.AssertionMultiple);
    }

    [Test]
    public void Validate_WithEncryptedAssertionNotAChildOfTheResponse_IsRefused()
    {
        var document = EncryptedResponses.Build(new TestResponseBuilder(), SignMode.Assertion);
        var encrypted = EncryptedAssertion(document);
        var status = Select(document, "/samlp:Response/samlp:Status");
        encrypted.ParentNode!.RemoveChild(encrypted);
        status.AppendChild(encrypted);

        AssertRefused(ValidateEncrypted(document), SamlErrorCodes.AssertionMissing);
    }

    // ---- algorithms ----

    [Test]
    public void Validate_WithPkcs1V15KeyTransport_IsRefusedBeforeAnyRsaOperation()
    {
        var options = new EncryptionOptions { KeyTransport = XmlEncConstants.Rsa15, OaepDigest = null };
        var document = EncryptedResponses.Build(new TestResponseBuilder(), SignMode.Assertion, options: options);

        var result = ValidateEncrypted(document);

        AssertRefused(result, SamlErrorCodes.EncryptionAlgorithmNotAllowed);
        Assert.That(result.Failure!.Message, Does.Contain("Bleichenbacher"));
    }

    [TestCase(XmlEncConstants.Aes192Cbc)]
    [TestCase("http://www.w3.org/2001/04/xmlenc#tripledes-cbc")]
    [TestCase("http://example.test/rot13")]
    public void Validate_WithContentAlgorithmOutsideTheAllowList_IsRefused(string algorithm)
    {
        var document = EncryptedResponses.Build(new TestResponseBuilder(), SignMode.Assertion, options: new EncryptionOptions { ContentAlgorithm = algorithm });

        var result = ValidateEncrypted(document);

        AssertRefused(result, SamlErrorCodes.EncryptionAlgorithmNotAllowed);
        Assert.That(result.Failure!.Received, Is.EqualTo(algorithm));
    }

    [TestCase("http://www.w3.org/2001/04/xmlenc#kw-aes256", null, null)]
    [TestCase(XmlEncConstants.RsaOaepMgf1P, XmlEncConstants.DigestSha256, null)]
    [TestCase(XmlEncConstants.RsaOaep, XmlEncConstants.DigestSha256, null)]
    [TestCase(XmlEncConstants.RsaOaep, XmlEncConstants.DigestSha1, XmlEncConstants.Mgf1Sha256)]
    [TestCase(XmlEncConstants.RsaOaep, "http://www.w3.org/2001/04/xmlenc#ripemd160", null)]
    public void Validate_WithKeyTransportOutsideTheAllowList_IsRefused(string transport, string? digest, string? mgf)
    {
        var options = new EncryptionOptions { KeyTransport = transport, OaepDigest = digest, Mgf = mgf, Padding = RSAEncryptionPadding.OaepSHA1 };
        var document = EncryptedResponses.Build(new TestResponseBuilder(), SignMode.Assertion, options: options);

        AssertRefused(ValidateEncrypted(document), SamlErrorCodes.EncryptionAlgorithmNotAllowed);
    }

    [Test]
    public void Validate_WithOaepLabel_IsRefused()
    {
        var document = EncryptedResponses.Build(new TestResponseBuilder(), SignMode.Assertion);
        var method = Select(document, "//xenc:EncryptedKey/xenc:EncryptionMethod");
        var label = document.CreateElement("xenc", "OAEPparams", XmlEncConstants.Namespace);
        label.InnerText = "bGFiZWw=";
        method.AppendChild(label);

        AssertRefused(ValidateEncrypted(document), SamlErrorCodes.EncryptionAlgorithmNotAllowed);
    }

    // ---- tampering with the ciphertext and the wrapped key ----

    [TestCase(3, Description = "in the IV: one bit of the first plaintext block changes")]
    [TestCase(200, Description = "in the middle: one block garbled, one bit of the next changed")]
    [TestCase(-17, Description = "in the last-but-one block: the padding byte changes")]
    [TestCase(-1, Description = "in the last block: the last block is garbled")]
    public void Validate_WithCbcCiphertextBitFlipped_IsRefused(int index)
    {
        var document = EncryptedResponses.Build(new TestResponseBuilder(), SignMode.Assertion);
        FlipBit(ContentCipherValue(document), index, bit: 7);

        AssertRefused(ValidateEncrypted(document), SamlErrorCodes.AssertionDecryptionFailed);
    }

    [TestCase(0)]
    [TestCase(100)]
    [TestCase(-1)]
    public void Validate_WithGcmCiphertextBitFlipped_IsRefused(int index)
    {
        var document = EncryptedResponses.Build(new TestResponseBuilder(), SignMode.Assertion, options: EncryptionOptions.Gcm);
        FlipBit(ContentCipherValue(document), index);

        AssertDecryptionFailed(ValidateEncrypted(document), "authentication tag");
    }

    [Test]
    public void Validate_WithCiphertextBitFlippedInASignedResponse_IsRefusedByTheResponseSignatureBeforeDecrypting()
    {
        var document = EncryptedResponses.Build(new TestResponseBuilder(), SignMode.Response);
        FlipBit(ContentCipherValue(document), 100);

        AssertRefused(ValidateEncrypted(document), SamlErrorCodes.SignatureInvalid);
    }

    [Test]
    public void Validate_WithWrappedKeyBitFlipped_IsRefused()
    {
        var document = EncryptedResponses.Build(new TestResponseBuilder(), SignMode.Assertion);
        FlipBit(WrappedKeyCipherValue(document), 5);

        AssertDecryptionFailed(ValidateEncrypted(document), "RSA-OAEP unwrapping");
    }

    [Test]
    public void Validate_WithWrappedKeySwappedForAnotherContentKey_IsRefused()
    {
        var document = EncryptedResponses.Build(new TestResponseBuilder(), SignMode.Assertion);
        var otherKey = TestEncryptor.Wrap(TestSpKeys.Default.Rsa, RandomNumberGenerator.GetBytes(32), new EncryptionOptions());
        WrappedKeyCipherValue(document).InnerText = Convert.ToBase64String(otherKey);

        AssertRefused(ValidateEncrypted(document), SamlErrorCodes.AssertionDecryptionFailed);
    }

    [Test]
    public void Validate_WithWrappedKeyOfTheWrongSize_IsRefused()
    {
        var document = EncryptedResponses.Build(new TestResponseBuilder(), SignMode.Assertion);
        var wrapped = TestEncryptor.Wrap(TestSpKeys.Default.Rsa, RandomNumberGenerator.GetBytes(16), new EncryptionOptions());
        WrappedKeyCipherValue(document).InnerText = Convert.ToBase64String(wrapped);

        AssertDecryptionFailed(ValidateEncrypted(document), "the unwrapped content key is 16 bytes");
    }

    [TestCase(0, Description = "empty")]
    [TestCase(16, Description = "an IV alone")]
    [TestCase(40, Description = "not whole blocks")]
    public void Validate_WithCbcCiphertextOfTheWrongLength_IsRefused(int length)
    {
        var document = EncryptedResponses.Build(new TestResponseBuilder(), SignMode.Assertion);
        var cipherValue = ContentCipherValue(document);
        cipherValue.InnerText = Convert.ToBase64String(Convert.FromBase64String(cipherValue.InnerText)[..length]);

        AssertRefused(ValidateEncrypted(document), SamlErrorCodes.AssertionDecryptionFailed);
    }

    [Test]
    public void Validate_WithOversizedCiphertext_IsRefusedBeforeDecoding()
    {
        var builder = new TestResponseBuilder();
        var document = EncryptedResponses.Build(builder, SignMode.Assertion);
        ContentCipherValue(document).InnerText = Convert.ToBase64String(RandomNumberGenerator.GetBytes(130 * 1024));

        var result = ValidateEncrypted(document);

        AssertRefused(result, SamlErrorCodes.ResponseTooLarge);
    }

    [Test]
    public void Validate_WithCiphertextJustOverALoweredLimit_IsRefused()
    {
        var document = EncryptedResponses.Build(new TestResponseBuilder(), SignMode.Assertion);
        var length = Convert.FromBase64String(ContentCipherValue(document).InnerText).Length;

        AssertRefused(ValidateEncrypted(document, EncryptedResponses.Settings() with { MaxEncryptedAssertionBytes = length - 1 }),
            SamlErrorCodes.ResponseTooLarge);
        AssertAccepted(ValidateEncrypted(document, EncryptedResponses.Settings() with { MaxEncryptedAssertionBytes = length }));
    }

    // ---- structure: malformed, external references ----

    private static readonly (string Name, Action<XmlDocument> Edit)[] StructureEdits =
    [
        ("CipherReference instead of CipherValue", d =>
        {
            var cipherData = (XmlElement)ContentCipherValue(d).ParentNode!;
            cipherData.InnerXml = $"""<xenc:CipherReference xmlns:xenc="{XmlEncConstants.Namespace}" URI="https://attacker.test/ciphertext"/>""";
        }),
        ("RetrievalMethod to an external URI", d =>
        {
            var keyInfo = Select(d, "//xenc:EncryptedData/ds:KeyInfo");
            keyInfo.InnerXml = $"""<ds:RetrievalMethod xmlns:ds="{SamlConstants.XmlDsigNamespace}" Type="{XmlEncConstants.TypeEncryptedKey}" URI="https://attacker.test/key"/>""";
        }),
        ("RetrievalMethod with an XPath transform", d =>
        {
            var keyInfo = Select(d, "//xenc:EncryptedData/ds:KeyInfo");
            var encryptedKey = (XmlElement)keyInfo.FirstChild!;
            keyInfo.RemoveChild(encryptedKey);
            encryptedKey.SetAttribute("Id", "_ek");
            EncryptedAssertion(d).AppendChild(encryptedKey);
            keyInfo.InnerXml = $"""<ds:RetrievalMethod xmlns:ds="{SamlConstants.XmlDsigNamespace}" Type="{XmlEncConstants.TypeEncryptedKey}" URI="#_ek"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"><ds:XPath>1</ds:XPath></ds:Transform></ds:Transforms></ds:RetrievalMethod>""";
        }),
        ("Type Content instead of Element", d => Select(d, "//xenc:EncryptedData").SetAttribute("Type", "http://www.w3.org/2001/04/xmlenc#Content")),
        ("an Encoding attribute", d => Select(d, "//xenc:EncryptedData").SetAttribute("Encoding", "http://www.w3.org/2000/09/xmldsig#base64")),
        ("no EncryptionMethod", d => Select(d, "//xenc:EncryptedData").RemoveChild(Select(d, "//xenc:EncryptedData/xenc:EncryptionMethod"))),
        ("no KeyInfo", d => Select(d, "//xenc:EncryptedData").RemoveChild(Select(d, "//xenc:EncryptedData/ds:KeyInfo"))),
        ("two EncryptedKeys", d =>
        {
            var encryptedKey = Select(d, "//xenc:EncryptedKey");
            encryptedKey.ParentNode!.AppendChild(encryptedKey.CloneNode(deep: true));
        }),
        ("a stray sibling EncryptedKey", d =>
        {
            var encryptedKey = Select(d, "//xenc:EncryptedKey");
            EncryptedAssertion(d).AppendChild(encryptedKey.CloneNode(deep: true));
        }),
        ("a ds:Signature inside the EncryptedAssertion", d =>
        {
            var signature = d.CreateElement("ds", "Signature", SamlConstants.XmlDsigNamespace);
            EncryptedAssertion(d).AppendChild(signature);
        }),
        ("a comment in the CipherValue", d => ContentCipherValue(d).PrependChild(d.CreateComment("x"))),
        ("an element in the CipherValue", d => ContentCipherValue(d).AppendChild(d.CreateElement("b"))),
        ("text beside the EncryptedData", d => EncryptedAssertion(d).AppendChild(d.CreateTextNode("hello"))),
        ("an attribute on the EncryptedAssertion", d => EncryptedAssertion(d).SetAttribute("ID", "_x")),
        ("CipherValue not base64", d => ContentCipherValue(d).InnerText = "!!!!"),
        ("KeyValue in the EncryptedKey's KeyInfo", d =>
            Select(d, "//xenc:EncryptedKey/ds:KeyInfo").AppendChild(d.CreateElement("ds", "KeyValue", SamlConstants.XmlDsigNamespace))),
        ("an unknown element in the EncryptedKey", d =>
            Select(d, "//xenc:EncryptedKey").AppendChild(d.CreateElement("xenc", "EncryptionProperties", XmlEncConstants.Namespace))),
        ("a parameter on the content EncryptionMethod", d =>
            Select(d, "//xenc:EncryptedData/xenc:EncryptionMethod").AppendChild(d.CreateElement("xenc", "KeySize", XmlEncConstants.Namespace))),
    ];

    private static IEnumerable<TestCaseData> StructureCases() => StructureEdits.Select(e => new TestCaseData(e.Name).SetName($"Validate_WithMalformedEncryptedAssertion_IsRefused({e.Name})"));

    [TestCaseSource(nameof(StructureCases))]
    public void Validate_WithMalformedEncryptedAssertion_IsRefused(string name)
    {
        var document = EncryptedResponses.Build(new TestResponseBuilder(), SignMode.Assertion);
        StructureEdits.Single(e => e.Name == name).Edit(document);

        AssertDecryptionFailed(ValidateEncrypted(document), "malformed");
    }

    // ---- signatures and the decrypted content ----

    [Test]
    public void Validate_WithEncryptedAssertionWithoutAnySignature_UnderGcm_IsRefusedAsSignatureMissing() =>
        AssertRefused(ValidateEncrypted(EncryptedResponses.Build(new TestResponseBuilder(), SignMode.None, options: EncryptionOptions.Gcm)),
            SamlErrorCodes.SignatureMissing);

    [Test]
    public void Validate_WithEncryptedAssertionWithoutAnySignature_UnderCbc_IsRefusedAsADecryptionFailure() =>
        AssertDecryptionFailed(ValidateEncrypted(EncryptedResponses.Build(new TestResponseBuilder(), SignMode.None)),
            SamlErrorCodes.SignatureMissing);

    [Test]
    public void Validate_WithAssertionSignedByAnotherIdp_UnderCbc_IsRefusedAsADecryptionFailureNamingTheSignature()
    {
        var builder = new TestResponseBuilder { AssertionSignature = new SignatureOptions { Keys = TestIdpKeys.Attacker } };

        AssertDecryptionFailed(ValidateEncrypted(EncryptedResponses.Build(builder, SignMode.Assertion)), SamlErrorCodes.CertificateUntrusted);
    }

    [Test]
    public void Validate_WithAssertionSignedByAnotherIdp_UnderGcm_IsRefusedAsUntrusted()
    {
        var builder = new TestResponseBuilder { AssertionSignature = new SignatureOptions { Keys = TestIdpKeys.Attacker } };

        AssertRefused(ValidateEncrypted(EncryptedResponses.Build(builder, SignMode.Assertion, options: EncryptionOptions.Gcm)),
            SamlErrorCodes.CertificateUntrusted);
    }

    [Test]
    public void Validate_WithAssertionSignedByAnotherIdpInsideASignedResponse_IsRefusedAsUntrusted()
    {
        var builder = new TestResponseBuilder { AssertionSignature = new SignatureOptions { Keys = TestIdpKeys.Attacker } };

        AssertRefused(ValidateEncrypted(EncryptedResponses.Build(builder, SignMode.Both)), SamlErrorCodes.CertificateUntrusted);
    }

    [Test]
    public void Validate_WithResponseSignature_CoversTheEncryptedAssertionAsSent()
    {
        var document = EncryptedResponses.Build(new TestResponseBuilder(), SignMode.Response);
        Select(document, "//xenc:EncryptedData").SetAttribute("Id", "_changed-after-signing");

        AssertRefused(ValidateEncrypted(document), SamlErrorCodes.SignatureInvalid);
    }

    [Test]
    public void Validate_WithResponseSignatureOverAnEncryptedAssertionReEncryptedByAnAttacker_IsRefused()
    {
        // Anyone can encrypt to the SP's public key: swapping in another ciphertext must break the Response signature.
        var document = EncryptedResponses.Build(new TestResponseBuilder(), SignMode.Response);
        var forged = EncryptedResponses.Build(new TestResponseBuilder { NameId = "attacker@evil.test" }, SignMode.None);
        var original = EncryptedAssertion(document);
        original.ParentNode!.ReplaceChild(document.ImportNode(EncryptedAssertion(forged), deep: true), original);

        AssertRefused(ValidateEncrypted(document), SamlErrorCodes.SignatureInvalid);
    }

    [Test]
    public void Validate_WithUnsignedAssertionEncryptedByAnAttackerBesideAValidResponseSignature_IsImpossible()
    {
        // The other way round: a Response signature is only good for the EncryptedAssertion it was computed over.
        var document = EncryptedResponses.Build(new TestResponseBuilder(), SignMode.Both);
        var forged = WithPlaintext(EvilAssertionXml(), options: EncryptionOptions.Gcm);
        var original = EncryptedAssertion(document);
        original.ParentNode!.ReplaceChild(document.ImportNode(EncryptedAssertion(forged), deep: true), original);

        AssertRefused(ValidateEncrypted(document), SamlErrorCodes.SignatureInvalid);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Validate_WithSignedAssertionWrappedInsideAnEvilOneInTheDecryptedContent_IsRefused(bool gcm)
    {
        // The attacker encrypts (to the SP's public key) an evil assertion that carries the genuine signed one inside.
        var (_, signed) = SignedAssertion();
        var evil = EvilAssertionXml(inner: signed.OuterXml);
        var result = ValidateEncrypted(WithPlaintext(evil, options: gcm ? EncryptionOptions.Gcm : null));

        if (gcm)
        {
            AssertRefused(result, SamlErrorCodes.AssertionMultiple);
        }
        else
        {
            AssertDecryptionFailed(result, SamlErrorCodes.AssertionMultiple);
        }
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Validate_WithGenuineSignatureMovedOntoAnEvilAssertionInTheDecryptedContent_IsRefused(bool gcm)
    {
        var (_, signed) = SignedAssertion();
        var signature = signed.GetElementsByTagName("Signature", SamlConstants.XmlDsigNamespace)[0]!.OuterXml;
        var evil = EvilAssertionXml(signature: signature, id: signed.GetAttribute("ID"));

        var result = ValidateEncrypted(WithPlaintext(evil, options: gcm ? EncryptionOptions.Gcm : null));

        if (gcm)
        {
            AssertRefused(result, SamlErrorCodes.SignatureInvalid);
        }
        else
        {
            AssertDecryptionFailed(result, SamlErrorCodes.SignatureInvalid);
        }
    }

    [Test]
    public void Validate_WithDecryptedContentThatIsNotAnAssertion_IsRefused()
    {
        var result = ValidateEncrypted(WithPlaintext("<NameID xmlns=\"urn:oasis:names:tc:SAML:2.0:assertion\">x</NameID>", options: EncryptionOptions.Gcm));

        AssertRefused(result, SamlErrorCodes.AssertionMissing);
    }

    [Test]
    public void Validate_WithDecryptedContentNotWellFormed_IsRefused()
    {
        var (_, signed) = SignedAssertion();

        AssertRefused(ValidateEncrypted(WithPlaintext(signed.OuterXml[..^5], options: EncryptionOptions.Gcm)), SamlErrorCodes.XmlMalformed);
        AssertDecryptionFailed(ValidateEncrypted(WithPlaintext(signed.OuterXml[..^5])), SamlErrorCodes.XmlMalformed);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Validate_WithDtdInTheDecryptedXml_IsRefusedWithoutExpandingIt(bool gcm)
    {
        var (_, signed) = SignedAssertion();
        var plaintext = "<!DOCTYPE Assertion [<!ENTITY e \"evil\">]>" + signed.OuterXml.Replace("jane.doe@contoso.test</NameID>", "&e;</NameID>", StringComparison.Ordinal);

        var result = ValidateEncrypted(WithPlaintext(plaintext, options: gcm ? EncryptionOptions.Gcm : null));

        if (gcm)
        {
            AssertRefused(result, SamlErrorCodes.XmlDtdForbidden);
        }
        else
        {
            AssertDecryptionFailed(result, SamlErrorCodes.XmlDtdForbidden);
        }
    }

    [Test]
    public void Validate_WithBillionLaughsInTheDecryptedXml_IsRefusedQuickly()
    {
        var entities = string.Concat(Enumerable.Range(1, 9).Select(i => $"<!ENTITY l{i} \"{string.Concat(Enumerable.Repeat($"&l{i - 1};", 10))}\">"));
        var plaintext = $"<!DOCTYPE Assertion [<!ENTITY l0 \"lol\">{entities}]><Assertion xmlns=\"urn:oasis:names:tc:SAML:2.0:assertion\">&l9;</Assertion>";
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();

        var result = ValidateEncrypted(WithPlaintext(plaintext, options: EncryptionOptions.Gcm));

        AssertRefused(result, SamlErrorCodes.XmlDtdForbidden);
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)));
    }

    [Test]
    public void Validate_WithDecryptedXmlNestedTooDeep_IsRefused()
    {
        var nested = string.Concat(Enumerable.Repeat("<x>", 100)) + string.Concat(Enumerable.Repeat("</x>", 100));
        var plaintext = $"<Assertion xmlns=\"urn:oasis:names:tc:SAML:2.0:assertion\">{nested}</Assertion>";

        AssertRefused(ValidateEncrypted(WithPlaintext(plaintext, options: EncryptionOptions.Gcm)), SamlErrorCodes.XmlMalformed);
    }

    [Test]
    public void Validate_WithDecryptedAssertionIdEqualToAnIdInTheEnvelope_IsRefused()
    {
        var builder = new TestResponseBuilder();
        var document = EncryptedResponses.Build(builder, SignMode.Assertion, options: EncryptionOptions.Gcm);
        Select(document, "//xenc:EncryptedData").SetAttribute("Id", builder.AssertionId);

        AssertRefused(ValidateEncrypted(document), SamlErrorCodes.DuplicateId);
    }

    [Test]
    public void Validate_WithNestedEncryptedAssertionInTheDecryptedContent_IsRefused()
    {
        var inner = TestEncryptor.Encrypt(new XmlDocument(), Encoding.UTF8.GetBytes(EvilAssertionXml()), TestSpKeys.Default);
        var plaintext = EvilAssertionXml(inner: inner.OuterXml);

        AssertRefused(ValidateEncrypted(WithPlaintext(plaintext, options: EncryptionOptions.Gcm)), SamlErrorCodes.AssertionMultiple);
    }

    // ---- every assertion rule still applies ----

    [Test]
    public void Validate_WithEncryptedAssertionForAnotherAudience_IsRefusedNamingTheVerifiedAssertion()
    {
        var builder = new TestResponseBuilder { Audience = "https://other.statuspage.io/" };

        var result = ValidateEncrypted(EncryptedResponses.Build(builder, SignMode.Assertion));

        AssertRefused(result, SamlErrorCodes.AudienceMismatch);
        Assert.That(result.Failure!.AssertionId, Is.EqualTo(builder.AssertionId));
        Assert.That(result.Failure.NameId, Is.EqualTo("jane.doe@contoso.test"));
    }

    [Test]
    public void Validate_WithExpiredEncryptedAssertion_IsRefused() =>
        AssertRefused(ValidateEncrypted(EncryptedResponses.Build(new TestResponseBuilder { NotOnOrAfter = TestResponseBuilder.Now.AddMinutes(-4) }, SignMode.Assertion)),
            SamlErrorCodes.AssertionExpired);

    [Test]
    public void Validate_WithEncryptedAssertionFromAnotherIssuer_IsRefused() =>
        AssertRefused(ValidateEncrypted(EncryptedResponses.Build(new TestResponseBuilder { AssertionIssuer = "https://evil.test/" }, SignMode.Response)),
            SamlErrorCodes.IssuerMismatch);

    [Test]
    public void Validate_WithEncryptedAssertionForAnotherRecipient_IsRefused() =>
        AssertRefused(ValidateEncrypted(EncryptedResponses.Build(new TestResponseBuilder { Recipient = "https://evil.test/acs" }, SignMode.Assertion)),
            SamlErrorCodes.SubjectConfirmationInvalid);

    [Test]
    public void Validate_WithCommentInsideTheEncryptedNameId_IsRefused() =>
        AssertRefused(ValidateEncrypted(EncryptedResponses.Build(new TestResponseBuilder { NameIdInnerXml = "jane.doe@contoso.test<!---->.evil" }, SignMode.Assertion)),
            SamlErrorCodes.NameIdInvalid);

    [Test]
    public void Validate_WithSha1SignatureInsideTheEncryptedAssertion_IsRefusedUnlessAllowed()
    {
        var builder = new TestResponseBuilder { AssertionSignature = SignatureOptions.Sha1 };
        var document = EncryptedResponses.Build(builder, SignMode.Assertion, options: EncryptionOptions.Gcm);

        AssertRefused(ValidateEncrypted(document), SamlErrorCodes.SignatureAlgorithmNotAllowed);
        AssertAccepted(ValidateEncrypted(document, EncryptedResponses.Settings() with { AllowSha1 = true }));
    }

    private static string EvilAssertionXml(string inner = "", string signature = "", string id = "_evil") => $"""
        <Assertion xmlns="urn:oasis:names:tc:SAML:2.0:assertion" ID="{id}" IssueInstant="{TestResponseBuilder.Time(TestResponseBuilder.Now)}" Version="2.0"><Issuer>{TestResponseBuilder.IdpEntityId}</Issuer>{signature}<Subject><NameID>attacker@evil.test</NameID><SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><SubjectConfirmationData NotOnOrAfter="{TestResponseBuilder.Time(TestResponseBuilder.Now.AddMinutes(5))}" Recipient="{TestResponseBuilder.AcsUrl}"/></SubjectConfirmation></Subject><Conditions><AudienceRestriction><Audience>{TestResponseBuilder.SpEntityId}</Audience></AudienceRestriction></Conditions><Advice>{inner}</Advice></Assertion>
        """;
}
