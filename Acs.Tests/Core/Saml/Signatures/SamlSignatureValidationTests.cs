using System.Security.Cryptography.Xml;
using System.Xml;
using Acs.Core.Saml.Validation;
using Acs.Core.Saml.Xml;
using Acs.Testing.TestIdp;
using Acs.Tests.Core.Saml.Validation;
using static Acs.Testing.TestIdp.ResponseMutations;

namespace Acs.Tests.Core.Saml.Signatures;

/// <summary>Rule 8: signatures, algorithms, certificates and signature wrapping.</summary>
[TestFixture]
public sealed class SamlSignatureValidationTests : SamlValidatorTestBase
{
    [TestCase(SignMode.Assertion, SignedParts.Assertion)]
    [TestCase(SignMode.Response, SignedParts.Response)]
    [TestCase(SignMode.Both, SignedParts.Response | SignedParts.Assertion)]
    public void Validate_WithEachSigningMode_IsAcceptedAndReportsSignedParts(SignMode mode, SignedParts expected)
    {
        var assertion = AssertAccepted(Validate(new TestResponseBuilder { Sign = mode }));

        Assert.That(assertion.SignedParts, Is.EqualTo(expected));
    }

    [Test]
    public void Validate_WithUnsignedResponse_IsRefused() =>
        AssertRefused(Validate(new TestResponseBuilder { Sign = SignMode.None }), SamlErrorCodes.SignatureMissing);

    [Test]
    public void Validate_WithSignatureStripped_IsRefused()
    {
        var document = new TestResponseBuilder { Sign = SignMode.Both }.Build();
        RemoveAllSignatures(document);

        AssertRefused(Validate(document), SamlErrorCodes.SignatureMissing);
    }

    [Test]
    public void Validate_WithAssertionSignedByUnknownCertificate_IsRefused()
    {
        var builder = new TestResponseBuilder { AssertionSignature = new SignatureOptions { Keys = TestIdpKeys.Attacker } };

        var result = Validate(builder);

        AssertRefused(result, SamlErrorCodes.CertificateUntrusted);
        Assert.That(result.Failure!.Expected, Is.EqualTo(TestIdpKeys.Default.Trusted.ThumbprintSha256));
        Assert.That(result.Failure.Received, Is.EqualTo(TestIdpKeys.Attacker.Trusted.ThumbprintSha256));
    }

    [Test]
    public void Validate_WithSignatureByUnknownKeyAndNoKeyInfo_IsRefusedAsInvalidSignature()
    {
        var builder = new TestResponseBuilder { AssertionSignature = new SignatureOptions { Keys = TestIdpKeys.Attacker, IncludeKeyInfo = false } };

        AssertRefused(Validate(builder), SamlErrorCodes.SignatureInvalid);
    }

    [Test]
    public void Validate_WithKeyInfoNamingTrustedCertButSignedByAnotherKey_IsRefused()
    {
        // KeyInfo claims the trusted certificate; the key that signed is the attacker's. KeyInfo only picks.
        var document = new TestResponseBuilder { AssertionSignature = new SignatureOptions { Keys = TestIdpKeys.Attacker } }.Build();
        Select(document, "//ds:X509Certificate").InnerText = Convert.ToBase64String(TestIdpKeys.Default.Certificate.RawData);

        AssertRefused(Validate(document), SamlErrorCodes.SignatureInvalid);
    }

    [Test]
    public void Validate_WithoutKeyInfo_IsVerifiedWithTheConfiguredCertificate()
    {
        var builder = new TestResponseBuilder { AssertionSignature = new SignatureOptions { IncludeKeyInfo = false } };

        AssertAccepted(Validate(builder));
    }

    [Test]
    public void Validate_WithSeveralConfiguredCertificates_PicksTheOneKeyInfoNames()
    {
        var settings = TestResponseBuilder.Settings(TestIdpKeys.Attacker.Trusted, TestIdpKeys.Default.Trusted);

        AssertAccepted(Validate(new TestResponseBuilder(), settings));
    }

    [Test]
    public void Validate_WithNoConfiguredCertificate_IsRefused() =>
        AssertRefused(Validate(new TestResponseBuilder(), TestResponseBuilder.Settings() with { TrustedCertificates = [] }), SamlErrorCodes.CertificateUntrusted);

    [TestCase("/samlp:Response/saml:Assertion/saml:Subject/saml:NameID", "admin@contoso.test")]
    [TestCase("/samlp:Response/saml:Assertion/saml:AttributeStatement/saml:Attribute[1]/saml:AttributeValue", "another-tenant")]
    [TestCase("/samlp:Response/saml:Assertion/saml:Conditions/saml:AudienceRestriction/saml:Audience", "https://evil.example/")]
    public void Validate_WithSignedContentChangedAfterSigning_IsRefused(string xpath, string newText)
    {
        var document = new TestResponseBuilder().Build();
        SetText(document, xpath, newText);

        // The SP is configured for whatever audience the message now names, so only the signature can refuse it.
        var settings = TestResponseBuilder.Settings() with { SpEntityId = Select(document, "//saml:Audience").InnerText };

        AssertRefused(Validate(document, settings), SamlErrorCodes.SignatureInvalid);
    }

    [Test]
    public void Validate_WithResponseContentChangedAfterResponseSigning_IsRefused()
    {
        var document = new TestResponseBuilder { Sign = SignMode.Response }.Build();
        Select(document, "//saml:NameID").InnerText = "admin@contoso.test";

        AssertRefused(Validate(document), SamlErrorCodes.SignatureInvalid);
    }

    [Test]
    public void Validate_WithTwoSignaturesOneBroken_IsRefused()
    {
        // The Response signature covers Status, the Assertion signature does not: breaking only the former.
        var document = new TestResponseBuilder { Sign = SignMode.Both }.Build();
        Select(document, "/samlp:Response/samlp:Status").SetAttribute("Comment", "x");

        AssertRefused(Validate(document), SamlErrorCodes.SignatureInvalid);
    }

    [Test]
    public void Validate_WithSignatureValueCorrupted_IsRefused()
    {
        var document = new TestResponseBuilder().Build();
        var value = Select(document, "//ds:SignatureValue");
        value.InnerText = "AAAA" + value.InnerText[4..];

        AssertRefused(Validate(document), SamlErrorCodes.SignatureInvalid);
    }

    [Test]
    public void Validate_WithSha1WhenNotAllowed_IsRefused() =>
        AssertRefused(Validate(new TestResponseBuilder { Signature = SignatureOptions.Sha1 }), SamlErrorCodes.SignatureAlgorithmNotAllowed);

    [Test]
    public void Validate_WithSha1WhenAllowed_IsAccepted() =>
        AssertAccepted(Validate(new TestResponseBuilder { Signature = SignatureOptions.Sha1 }, TestResponseBuilder.Settings() with { AllowSha1 = true }));

    [Test]
    public void Validate_WithSha256SignatureButSha1Digest_IsRefusedWhenSha1NotAllowed() =>
        AssertRefused(
            Validate(new TestResponseBuilder { Signature = new SignatureOptions { DigestMethod = SamlConstants.DigestSha1 } }),
            SamlErrorCodes.SignatureAlgorithmNotAllowed);

    [TestCase(SignMode.Assertion)]
    [TestCase(SignMode.Both)]
    public void Validate_WithSha512_IsAccepted(SignMode mode) =>
        AssertAccepted(Validate(new TestResponseBuilder { Sign = mode, Signature = SignatureOptions.Sha512 }));

    [Test]
    public void Validate_WithEcdsaSha256FromConfiguredCertificate_IsAccepted()
    {
        var builder = new TestResponseBuilder
        {
            Sign = SignMode.Both,
            Signature = new SignatureOptions { Keys = TestIdpKeys.Ecdsa, SignatureMethod = SamlConstants.EcdsaSha256 },
        };

        AssertAccepted(Validate(builder, TestResponseBuilder.Settings(TestIdpKeys.Ecdsa.Trusted)));
    }

    [Test]
    public void Validate_WithEmptyReferenceUri_IsRefused()
    {
        var builder = new TestResponseBuilder { Sign = SignMode.Response, ResponseSignature = new SignatureOptions { ReferenceUri = "" } };

        AssertRefused(Validate(builder), SamlErrorCodes.SignatureReferenceInvalid);
    }

    [Test]
    public void Validate_WithAssertionSignatureReferencingTheResponse_IsRefused()
    {
        // The signature verifies (it covers the whole Response) but is not the assertion's own enveloped signature.
        var builder = new TestResponseBuilder { ResponseId = "_response_1" };
        builder.AssertionSignature = new SignatureOptions { ReferenceUri = "#_response_1" };

        AssertRefused(Validate(builder), SamlErrorCodes.SignatureReferenceInvalid);
    }

    [Test]
    public void Validate_WithXPathTransform_IsRefused()
    {
        var builder = new TestResponseBuilder
        {
            AssertionSignature = new SignatureOptions
            {
                Transforms = () => [new XmlDsigEnvelopedSignatureTransform(), XPathTransform(), new XmlDsigExcC14NTransform()],
            },
        };

        AssertRefused(Validate(builder), SamlErrorCodes.SignatureAlgorithmNotAllowed);
    }

    [Test]
    public void Validate_WithEnvelopedTransformAlone_IsRefused()
    {
        // Its implied final step is inclusive c14n, which the allow-list does not contain.
        var builder = new TestResponseBuilder
        {
            AssertionSignature = new SignatureOptions { Transforms = () => [new XmlDsigEnvelopedSignatureTransform()] },
        };

        AssertRefused(Validate(builder), SamlErrorCodes.SignatureAlgorithmNotAllowed);
    }

    [Test]
    public void Validate_WithXsltTransform_IsRefused()
    {
        var document = new TestResponseBuilder().Build();
        var transform = (XmlElement)Select(document, "//ds:Transform[2]");
        transform.SetAttribute("Algorithm", "http://www.w3.org/TR/1999/REC-xslt-19991116");

        AssertRefused(Validate(document), SamlErrorCodes.SignatureAlgorithmNotAllowed);
    }

    [Test]
    public void Validate_WithInclusiveCanonicalization_IsRefused()
    {
        var document = new TestResponseBuilder().Build();
        Select(document, "//ds:CanonicalizationMethod").SetAttribute("Algorithm", "http://www.w3.org/TR/2001/REC-xml-c14n-20010315");

        AssertRefused(Validate(document), SamlErrorCodes.SignatureAlgorithmNotAllowed);
    }

    [Test]
    public void Validate_WithTwoReferences_IsRefused()
    {
        var document = new TestResponseBuilder().Build();
        var reference = Select(document, "//ds:Reference");
        reference.ParentNode!.AppendChild(reference.CloneNode(deep: true));

        AssertRefused(Validate(document), SamlErrorCodes.SignatureReferenceInvalid);
    }

    [Test]
    public void Validate_WithSignatureObjectElement_IsRefused()
    {
        var document = new TestResponseBuilder().Build();
        var signature = Select(document, "//ds:Signature");
        signature.AppendChild(document.CreateElement("ds", "Object", SamlConstants.XmlDsigNamespace));

        AssertRefused(Validate(document), SamlErrorCodes.SignatureReferenceInvalid);
    }

    [Test]
    public void Validate_WithDuplicateIds_IsRefused()
    {
        var document = new TestResponseBuilder().Build();
        var id = Assertion(document).GetAttribute("ID");
        Select(document, "/samlp:Response/samlp:Status").SetAttribute("ID", id);

        AssertRefused(Validate(document), SamlErrorCodes.DuplicateId);
    }

    [Test]
    public void Validate_WithDuplicateIdInDsigIdAttribute_IsRefused()
    {
        var document = new TestResponseBuilder { Sign = SignMode.Response }.Build();
        var id = document.DocumentElement!.GetAttribute("ID");
        Select(document, "//ds:KeyInfo").SetAttribute("Id", id);

        AssertRefused(Validate(document), SamlErrorCodes.DuplicateId);
    }

    // ---- Signature wrapping (XSW). Assertion-signed messages. ----

    [Test]
    public void Validate_WithUnsignedEvilAssertionBeforeSignedOne_IsRefused()
    {
        var document = new TestResponseBuilder().Build();
        document.DocumentElement!.InsertBefore(EvilAssertion(document), Assertion(document));

        AssertRefused(Validate(document), SamlErrorCodes.AssertionMultiple);
    }

    [Test]
    public void Validate_WithUnsignedEvilAssertionAfterSignedOne_IsRefused()
    {
        var document = new TestResponseBuilder().Build();
        document.DocumentElement!.AppendChild(EvilAssertion(document));

        AssertRefused(Validate(document), SamlErrorCodes.AssertionMultiple);
    }

    [Test]
    public void Validate_WithSignedAssertionHiddenInExtensions_IsRefused()
    {
        var document = new TestResponseBuilder().Build();
        var signed = Assertion(document);
        var evil = EvilAssertion(document);
        var extensions = document.CreateElement("samlp", "Extensions", SamlConstants.ProtocolNamespace);
        document.DocumentElement!.ReplaceChild(evil, signed);
        extensions.AppendChild(signed);
        document.DocumentElement.InsertAfter(extensions, Select(document, "/samlp:Response/saml:Issuer"));

        AssertRefused(Validate(document), SamlErrorCodes.AssertionMultiple);
    }

    [Test]
    public void Validate_WithSignedAssertionInsideEvilAssertionsAdvice_IsRefused()
    {
        var document = new TestResponseBuilder().Build();
        var signed = Assertion(document);
        var evil = EvilAssertion(document);
        var advice = document.CreateElement("Advice", SamlConstants.AssertionNamespace);
        document.DocumentElement!.ReplaceChild(evil, signed);
        advice.AppendChild(signed);
        evil.InsertBefore(advice, evil.GetElementsByTagName("AttributeStatement", SamlConstants.AssertionNamespace)[0]);

        AssertRefused(Validate(document), SamlErrorCodes.AssertionMultiple);
    }

    [Test]
    public void Validate_WithSignedAssertionInsideSignatureObject_IsRefused()
    {
        // XSW: the evil assertion carries the original signature, whose ds:Object holds the signed assertion.
        var document = new TestResponseBuilder().Build();
        var signed = Assertion(document);
        var signature = Select(document, "/samlp:Response/saml:Assertion/ds:Signature");
        var evil = EvilAssertion(document);
        evil.SetAttribute("ID", signed.GetAttribute("ID") + "x");
        var dsObject = document.CreateElement("ds", "Object", SamlConstants.XmlDsigNamespace);
        signed.RemoveChild(signature);
        dsObject.AppendChild(signed);
        signature.AppendChild(dsObject);
        evil.InsertAfter(signature, evil.FirstChild);
        document.DocumentElement!.AppendChild(evil);

        AssertRefused(Validate(document), SamlErrorCodes.AssertionMultiple);
    }

    [Test]
    public void Validate_WithOnlyAssertionMovedIntoExtensionsOfSignedResponse_IsRefused()
    {
        // One assertion in the document, covered by the Response signature, but not where an assertion belongs.
        var builder = new TestResponseBuilder { Sign = SignMode.None };
        var document = builder.BuildUnsigned();
        var assertion = Assertion(document);
        var extensions = document.CreateElement("samlp", "Extensions", SamlConstants.ProtocolNamespace);
        document.DocumentElement!.ReplaceChild(extensions, assertion);
        extensions.AppendChild(assertion);
        TestSigner.Sign(document.DocumentElement);

        AssertRefused(Validate(document), SamlErrorCodes.AssertionMissing);
    }

    [Test]
    public void Validate_WithSignatureOutsideResponseAndAssertion_IsRefused()
    {
        var document = new TestResponseBuilder().Build();
        var signature = Select(document, "//ds:Signature");
        signature.ParentNode!.RemoveChild(signature);
        Select(document, "/samlp:Response/samlp:Status").AppendChild(signature);

        AssertRefused(Validate(document), SamlErrorCodes.SignatureReferenceInvalid);
    }

    // ---- Signature wrapping. Response-signed messages. ----

    [Test]
    public void Validate_WithSignedResponseWrappedInEvilResponse_IsRefused()
    {
        // XSW1/2 shape: a new root whose signature holds (or is followed by) the original signed Response.
        var document = new TestResponseBuilder { Sign = SignMode.Response }.Build();
        var original = document.DocumentElement!;
        var evilRoot = (XmlElement)original.CloneNode(deep: true);
        evilRoot.SetAttribute("ID", "_evil_response");
        var evilSignature = (XmlElement)evilRoot.GetElementsByTagName("Signature", SamlConstants.XmlDsigNamespace)[0]!;
        ((XmlElement)evilRoot.GetElementsByTagName("NameID", SamlConstants.AssertionNamespace)[0]!).InnerText = "attacker@evil.test";
        document.ReplaceChild(evilRoot, original);
        evilSignature.AppendChild(original);

        AssertRefused(Validate(document), SamlErrorCodes.AssertionMultiple);
    }

    [Test]
    public void Validate_WithEvilAssertionNextToSignedResponsesAssertion_IsRefused()
    {
        var document = new TestResponseBuilder { Sign = SignMode.Response }.Build();
        document.DocumentElement!.InsertBefore(EvilAssertion(document), Assertion(document));

        AssertRefused(Validate(document), SamlErrorCodes.AssertionMultiple);
    }

    [Test]
    public void Validate_WithEvilAssertionReplacingResponseSignedAssertion_IsRefused()
    {
        var document = new TestResponseBuilder { Sign = SignMode.Response }.Build();
        document.DocumentElement!.ReplaceChild(EvilAssertion(document), Assertion(document));

        AssertRefused(Validate(document), SamlErrorCodes.SignatureInvalid);
    }

    [Test]
    public void Validate_WithSignedResponseHiddenInStatusDetailOfEvilResponse_IsRefused()
    {
        var document = new TestResponseBuilder { Sign = SignMode.Response }.Build();
        var original = document.DocumentElement!;
        var evilRoot = (XmlElement)original.CloneNode(deep: true);
        evilRoot.SetAttribute("ID", "_evil_response");
        var status = (XmlElement)evilRoot.GetElementsByTagName("Status", SamlConstants.ProtocolNamespace)[0]!;
        var detail = document.CreateElement("samlp", "StatusDetail", SamlConstants.ProtocolNamespace);
        status.AppendChild(detail);
        document.ReplaceChild(evilRoot, original);
        detail.AppendChild(original);

        AssertRefused(Validate(document), SamlErrorCodes.AssertionMultiple);
    }

    private static XmlDsigXPathTransform XPathTransform()
    {
        var document = new XmlDocument();
        var xpath = document.CreateElement("XPath", SamlConstants.XmlDsigNamespace);
        xpath.InnerText = "not(ancestor-or-self::*[local-name()='NameID'])";
        var transform = new XmlDsigXPathTransform();
        transform.LoadInnerXml(document.AppendChild(xpath)!.ParentNode!.ChildNodes);
        return transform;
    }
}
