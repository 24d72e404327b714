using System.Text;
using Acs.Core.Saml.Validation;
using Acs.Core.Saml.Xml;
using Acs.Testing.TestIdp;
using Microsoft.Extensions.Time.Testing;
using static Acs.Testing.TestIdp.ResponseMutations;

namespace Acs.Tests.Core.Saml.Validation;

/// <summary>Rules 1–7: input, XML safety, the Response envelope and the assertion count.</summary>
[TestFixture]
public sealed class SamlEnvelopeValidationTests : SamlValidatorTestBase
{
    private static readonly SamlResponseValidator Validator = new(new FakeTimeProvider(TestResponseBuilder.Now));

    [TestCase(null)]
    [TestCase("")]
    [TestCase("  \r\n ")]
    public void Validate_WithMissingFormValue_IsRefused(string? formValue) =>
        AssertRefused(Validator.Validate(formValue, TestResponseBuilder.Settings()), SamlErrorCodes.ResponseMissing);

    [TestCase("not base64!")]
    [TestCase("PHNhbWxwOlJlc3BvbnNl-_")]
    [TestCase("PHNhbWxwOlJlc3BvbnNl=")]
    [TestCase("PD94bWwgdmVyc2lvbj0iMS4wIj8+\u00e9")]
    public void Validate_WithNonBase64Input_IsRefused(string formValue) =>
        AssertRefused(Validator.Validate(formValue, TestResponseBuilder.Settings()), SamlErrorCodes.ResponseNotBase64);

    [Test]
    public void Validate_WithBase64BrokenIntoLines_IsAccepted()
    {
        var bytes = new TestResponseBuilder().BuildBytes();
        var wrapped = Convert.ToBase64String(bytes, Base64FormattingOptions.InsertLineBreaks);

        AssertAccepted(Validator.Validate(wrapped, TestResponseBuilder.Settings()));
    }

    [Test]
    public void Validate_WithTenMegabytePost_IsRefusedBeforeDecoding()
    {
        var huge = new string('A', 10 * 1024 * 1024);

        var result = Validator.Validate(huge, TestResponseBuilder.Settings());

        AssertRefused(result, SamlErrorCodes.ResponseTooLarge);
    }

    [Test]
    public void Validate_WithDecodedSizeJustOverTheLimit_IsRefused()
    {
        var bytes = new TestResponseBuilder().BuildBytes();
        var settings = TestResponseBuilder.Settings() with { MaxResponseBytes = bytes.Length - 1 };

        AssertRefused(Validator.Validate(Convert.ToBase64String(bytes), settings), SamlErrorCodes.ResponseTooLarge);
        AssertRefused(Validator.ValidateXml(bytes, settings), SamlErrorCodes.ResponseTooLarge);
    }

    [Test]
    public void Validate_WithDecodedSizeExactlyAtTheLimit_IsAccepted()
    {
        var bytes = new TestResponseBuilder().BuildBytes();
        var settings = TestResponseBuilder.Settings() with { MaxResponseBytes = bytes.Length };

        AssertAccepted(Validator.Validate(Convert.ToBase64String(bytes, Base64FormattingOptions.InsertLineBreaks), settings));
    }

    [Test]
    public void Validate_WithNonXml_IsRefused() =>
        AssertRefused(Validate(Encoding.UTF8.GetBytes("this is not XML at all")), SamlErrorCodes.XmlMalformed);

    [Test]
    public void Validate_WithTruncatedXml_IsRefused()
    {
        var bytes = new TestResponseBuilder().BuildBytes();

        AssertRefused(Validate(bytes[..(bytes.Length / 2)]), SamlErrorCodes.XmlMalformed);
    }

    [Test]
    public void Validate_WithEntityExpansionBomb_IsRefusedWithoutExpanding()
    {
        var xml = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
            <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
            <samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&lol3;</samlp:Response>
            """;

        AssertRefused(Validate(Encoding.UTF8.GetBytes(xml)), SamlErrorCodes.XmlDtdForbidden);
    }

    [Test]
    public void Validate_WithExternalEntity_IsRefused()
    {
        var xml = """<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&xxe;</samlp:Response>""";

        AssertRefused(Validate(Encoding.UTF8.GetBytes(xml)), SamlErrorCodes.XmlDtdForbidden);
    }

    [Test]
    public void Validate_WithDoctypeBeforeAValidSignedResponse_IsRefused()
    {
        var xml = "<!DOCTYPE Response>" + Encoding.UTF8.GetString(new TestResponseBuilder().BuildBytes());

        AssertRefused(Validate(Encoding.UTF8.GetBytes(xml)), SamlErrorCodes.XmlDtdForbidden);
    }

    [Test]
    public void Validate_WithDeeplyNestedXml_IsRefused()
    {
        var xml = new StringBuilder();
        for (var i = 0; i < 5000; i++)
        {
            xml.Append("<a>");
        }

        for (var i = 0; i < 5000; i++)
        {
            xml.Append("</a>");
        }

        AssertRefused(Validate(Encoding.UTF8.GetBytes(xml.ToString())), SamlErrorCodes.XmlMalformed);
    }

    [TestCase("""<root xmlns="urn:example"/>""")]
    [TestCase("""<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_a" Version="2.0" IssueInstant="2026-03-02T09:00:00Z"/>""")]
    [TestCase("""<Response xmlns="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a" Version="2.0" IssueInstant="2026-03-02T09:00:00Z"/>""")]
    public void Validate_WithXmlThatIsNotASamlResponse_IsRefused(string xml) =>
        AssertRefused(Validate(Encoding.UTF8.GetBytes(xml)), SamlErrorCodes.ResponseNotSaml);

    [TestCase("Version", "1.1")]
    [TestCase("Version", null)]
    [TestCase("ID", null)]
    [TestCase("ID", "1-not-an-ncname")]
    [TestCase("IssueInstant", null)]
    [TestCase("IssueInstant", "yesterday")]
    [TestCase("IssueInstant", "2026-03-02 09:00:00")]
    public void Validate_WithBadResponseAttribute_IsRefused(string attribute, string? value)
    {
        var document = new TestResponseBuilder().Build();
        if (value is null)
        {
            document.DocumentElement!.RemoveAttribute(attribute);
        }
        else
        {
            document.DocumentElement!.SetAttribute(attribute, value);
        }

        AssertRefused(Validate(document), SamlErrorCodes.ResponseNotSaml);
    }

    [Test]
    public void Validate_WithResponderStatus_IsRefusedWithTheIdpMessage()
    {
        const string message = "AADSTS50105: Your administrator has configured the application to block users unless they are specifically granted access.";
        var builder = new TestResponseBuilder
        {
            StatusCode = "urn:oasis:names:tc:SAML:2.0:status:Responder",
            SecondLevelStatusCode = "urn:oasis:names:tc:SAML:2.0:status:RequestDenied",
            StatusMessage = message,
            Sign = SignMode.None,
        };

        var result = Validate(builder);

        AssertRefused(result, SamlErrorCodes.IdpStatusNotSuccess);
        Assert.That(result.Failure!.Message, Does.Contain("urn:oasis:names:tc:SAML:2.0:status:RequestDenied").And.Contain(message));
        Assert.That(result.Failure.Received, Does.Contain("RequestDenied").And.Contain("AADSTS50105"));
    }

    [Test]
    public void Validate_WithWrongDestination_IsRefusedWithExpectedAndReceived()
    {
        var result = Validate(new TestResponseBuilder { Destination = "https://evil.example/acs" });

        AssertRefused(result, SamlErrorCodes.DestinationMismatch);
        Assert.That(result.Failure!.Expected, Is.EqualTo(TestResponseBuilder.AcsUrl));
        Assert.That(result.Failure.Received, Is.EqualTo("https://evil.example/acs"));
    }

    [Test]
    public void Validate_WithoutDestinationOnSignedResponse_IsRefused() =>
        AssertRefused(Validate(new TestResponseBuilder { Destination = null, Sign = SignMode.Response }), SamlErrorCodes.DestinationMismatch);

    [Test]
    public void Validate_WithoutDestinationOnUnsignedResponse_IsAccepted() =>
        AssertAccepted(Validate(new TestResponseBuilder { Destination = null, Sign = SignMode.Assertion }));

    [Test]
    public void Validate_WithWrongIssuerOnResponse_IsRefused()
    {
        var result = Validate(new TestResponseBuilder { ResponseIssuer = "https://sts.windows.net/evil/" });

        AssertRefused(result, SamlErrorCodes.IssuerMismatch);
        Assert.That(result.Failure!.Expected, Is.EqualTo(TestResponseBuilder.IdpEntityId));
        Assert.That(result.Failure.Received, Is.EqualTo("https://sts.windows.net/evil/"));
    }

    [Test]
    public void Validate_WithoutIssuerOnResponse_IsAccepted() =>
        AssertAccepted(Validate(new TestResponseBuilder { ResponseIssuer = null }));

    [Test]
    public void Validate_WithNoAssertion_IsRefused()
    {
        var document = new TestResponseBuilder { Sign = SignMode.None }.BuildUnsigned();
        document.DocumentElement!.RemoveChild(Assertion(document));

        AssertRefused(Validate(document), SamlErrorCodes.AssertionMissing);
    }

    [Test]
    public void Validate_WithTwoAssertions_IsRefused()
    {
        var document = new TestResponseBuilder().Build();
        var copy = (System.Xml.XmlElement)Assertion(document).CloneNode(deep: true);
        copy.SetAttribute("ID", "_second");
        document.DocumentElement!.AppendChild(copy);

        AssertRefused(Validate(document), SamlErrorCodes.AssertionMultiple);
    }

    [Test]
    public void Validate_WithEncryptedAssertionButNoSpEncryptionKey_IsRefused()
    {
        var document = new TestResponseBuilder { Sign = SignMode.None }.BuildUnsigned();
        var encrypted = document.CreateElement("saml", "EncryptedAssertion", SamlConstants.AssertionNamespace);
        encrypted.InnerXml = """<xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#"/>""";
        document.DocumentElement!.ReplaceChild(encrypted, Assertion(document));

        AssertRefused(Validate(document), SamlErrorCodes.AssertionEncryptedUnsupported);
    }
}
