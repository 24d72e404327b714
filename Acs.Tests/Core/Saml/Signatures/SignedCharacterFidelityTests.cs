using System.Text;
using Acs.Core.Saml.Bindings;
using Acs.Core.Saml.Metadata;
using Acs.Core.Saml.Signatures;
using Acs.Core.Saml.Validation;
using Acs.Core.Saml.Xml;
using Acs.Testing.TestIdp;
using Acs.Tests.Core.Saml.Validation;
using Acs.Tests.TestInfrastructure;

namespace Acs.Tests.Core.Saml.Signatures;

/// <summary>
/// Rule 8: what is digested is exactly what is read. The parser keeps a referenced CR in text and a referenced
/// TAB, LF or CR in an attribute value as those characters; canonicalization must write them as themselves
/// (escaped), never normalise them into what the IdP signed. Genuine responses carrying them, signed by a
/// specification-following signer (xmlsec1), must verify; so must ones with xml:* attributes outside the signed part.
/// </summary>
[TestFixture]
public sealed class SignedCharacterFidelityTests : SamlValidatorTestBase
{
    private const string Claim = "urn:test:claims:address";

    // ---- Altered after signing: the IdP signed LF (or a space); the post carries a reference to another character.

    [TestCase("&#13;")]
    [TestCase("&#13;&#10;")]
    [TestCase("&#xD;")]
    public void Validate_WithSignedLineFeedInTextPostedAsCarriageReturnReference_IsRefused(string posted)
    {
        var builder = new TestResponseBuilder();
        builder.Attributes.Add(new(Claim, "line1\nline2"));

        var altered = Replace(builder.BuildBytes(), "line1\nline2", "line1" + posted + "line2");

        AssertRefused(Validate(altered), SamlErrorCodes.SignatureInvalid);
    }

    [TestCase(SignMode.Assertion)]
    [TestCase(SignMode.Response)]
    public void Validate_WithSignedLineFeedInTextPostedAsCarriageReturnReference_IsRefusedWhateverIsSigned(SignMode mode)
    {
        var builder = new TestResponseBuilder { Sign = mode };
        builder.Attributes.Add(new(Claim, "line1\nline2"));

        AssertRefused(Validate(Replace(builder.BuildBytes(), "line1\nline2", "line1&#13;line2")), SamlErrorCodes.SignatureInvalid);
    }

    [TestCase("&#9;")]
    [TestCase("&#10;")]
    [TestCase("&#13;")]
    public void Validate_WithSignedSpaceInAttributeValuePostedAsWhitespaceReference_IsRefused(string posted)
    {
        var builder = new TestResponseBuilder();
        builder.Attributes.Add(new("urn:test:claims:display name", "x"));

        var altered = Replace(builder.BuildBytes(), "display name", "display" + posted + "name");

        AssertRefused(Validate(altered), SamlErrorCodes.SignatureInvalid);
    }

    [Test]
    public void Validate_WithSignedSpaceInAttributeValuePostedAsRawTab_IsAccepted()
    {
        // A raw TAB in an attribute value is a space to the parser, so this is the very value that was signed.
        var builder = new TestResponseBuilder();
        builder.Attributes.Add(new("urn:test:claims:display name", "x"));

        var assertion = AssertAccepted(Validate(Replace(builder.BuildBytes(), "display name", "display\tname")));

        Assert.That(assertion.Attributes, Contains.Key("urn:test:claims:display name"));
    }

    // ---- Genuine: signed over these characters by an IdP that canonicalizes as specified.

    [TestCase("&#13;", "line1\rline2")]
    [TestCase("&#13;&#10;", "line1\r\nline2")]
    [TestCase("&#xD;", "line1\rline2")]
    public void Validate_WithCarriageReturnReferenceInSignedText_IsAcceptedAndReadExactly(string reference, string expected)
    {
        var builder = new TestResponseBuilder { Sign = SignMode.None };
        builder.Attributes.Add(new(Claim, "line1@CR@line2"));

        var signed = SignAssertion(builder, xml => xml.Replace("@CR@", reference, StringComparison.Ordinal));

        var assertion = AssertAccepted(Validate(signed));
        Assert.That(assertion.Attributes[Claim], Is.EqualTo(new[] { expected }));
    }

    [Test]
    public void Validate_WithCarriageReturnReferenceSignedThenTurnedIntoLineFeed_IsRefused()
    {
        var builder = new TestResponseBuilder { Sign = SignMode.None };
        builder.Attributes.Add(new(Claim, "line1@CR@line2"));
        var signed = SignAssertion(builder, xml => xml.Replace("@CR@", "&#13;", StringComparison.Ordinal));

        var altered = Replace(signed, "line1&#xD;line2", "line1&#10;line2", "line1&#13;line2");

        AssertRefused(Validate(altered), SamlErrorCodes.SignatureInvalid);
    }

    [TestCase("&#9;", "display\tname")]
    [TestCase("&#10;", "display\nname")]
    [TestCase("&#13;", "display\rname")]
    public void Validate_WithWhitespaceReferenceInSignedAttributeValue_IsAcceptedAndReadExactly(string reference, string expected)
    {
        var builder = new TestResponseBuilder { Sign = SignMode.None };
        builder.Attributes.Add(new("urn:test:claims:display@WS@name", "x"));

        var signed = SignAssertion(builder, xml => xml.Replace("@WS@", reference, StringComparison.Ordinal));

        var assertion = AssertAccepted(Validate(signed));
        Assert.That(assertion.Attributes, Contains.Key("urn:test:claims:" + expected));
    }

    [Test]
    public void Validate_WithTabReferenceSignedThenTurnedIntoSpace_IsRefused()
    {
        var builder = new TestResponseBuilder { Sign = SignMode.None };
        builder.Attributes.Add(new("urn:test:claims:display@WS@name", "x"));
        var signed = SignAssertion(builder, xml => xml.Replace("@WS@", "&#9;", StringComparison.Ordinal));

        var altered = Replace(signed, "display&#9;name", "display name", "display\tname");

        AssertRefused(Validate(altered), SamlErrorCodes.SignatureInvalid);
    }

    [TestCase("xml:lang=\"en\"")]
    [TestCase("xml:lang=\"en\" xml:space=\"preserve\"")]
    public void Validate_WithXmlAttributesOnTheUnsignedResponse_IsAccepted(string attributes)
    {
        // Exclusive c14n does not carry ancestors' xml:* attributes into the signed assertion.
        var builder = new TestResponseBuilder { Sign = SignMode.None };

        var signed = SignAssertion(builder, xml => xml.Replace("<samlp:Response ", "<samlp:Response " + attributes + " ", StringComparison.Ordinal));

        AssertAccepted(Validate(signed));
    }

    [Test]
    public void Validate_WithXmlLangOnTheUnsignedResponseFromASignerThatImportedIt_IsRefused()
    {
        // SignedXml digests the ancestor's xml:lang along with the assertion; exclusive c14n does not, so the
        // digest cannot match.
        var document = new TestResponseBuilder { Sign = SignMode.None }.Build();
        var lang = document.CreateAttribute("xml", "lang", "http://www.w3.org/XML/1998/namespace");
        lang.Value = "en";
        document.DocumentElement!.SetAttributeNode(lang);
        TestSigner.Sign(ResponseMutations.Assertion(document));

        AssertRefused(Validate(TestResponseBuilder.ToBytes(document)), SamlErrorCodes.SignatureInvalid);
    }

    [Test]
    public void Validate_WithResponseSignedBySpecificationSigner_IsAccepted()
    {
        var builder = new TestResponseBuilder { Sign = SignMode.None };
        builder.Attributes.Add(new(Claim, "line1@CR@line2"));
        var xml = builder.BuildUnsigned().OuterXml.Replace("@CR@", "&#13;", StringComparison.Ordinal);
        var issuerEnd = xml.IndexOf("</Issuer>", StringComparison.Ordinal) + "</Issuer>".Length;
        var template = xml.Insert(issuerEnd, Xmlsec1.SignatureTemplate(builder.ResponseId));

        var signed = Xmlsec1.Sign([template], TestIdpKeys.Default, Xmlsec1.ResponseElement)[0];

        var assertion = AssertAccepted(Validate(signed));
        Assert.That(assertion.SignedParts, Is.EqualTo(SignedParts.Response));
        Assert.That(assertion.Attributes[Claim], Is.EqualTo(new[] { "line1\rline2" }));
    }

    /// <summary>The builder's unsigned XML, edited as text (character references cannot be set through the DOM),
    /// with the assertion signed by xmlsec1.</summary>
    private static byte[] SignAssertion(TestResponseBuilder builder, Func<string, string> edit)
    {
        var xml = edit(builder.BuildUnsigned().OuterXml);
        var assertionStart = xml.IndexOf("<Assertion ", StringComparison.Ordinal);
        var issuerEnd = xml.IndexOf("</Issuer>", assertionStart, StringComparison.Ordinal) + "</Issuer>".Length;
        var template = xml.Insert(issuerEnd, Xmlsec1.SignatureTemplate(builder.AssertionId));
        return Xmlsec1.Sign([template], TestIdpKeys.Default, Xmlsec1.AssertionElement)[0];
    }

    /// <summary>Replaces the first of <paramref name="candidates"/> found in the serialized response.</summary>
    private static byte[] Replace(byte[] xml, string candidate, string replacement, params string[] otherCandidates)
    {
        var text = Encoding.UTF8.GetString(xml);
        foreach (var found in new[] { candidate }.Concat(otherCandidates))
        {
            if (text.Contains(found, StringComparison.Ordinal))
            {
                return Encoding.UTF8.GetBytes(text.Replace(found, replacement, StringComparison.Ordinal));
            }
        }

        Assert.Fail($"'{candidate}' is not in the response: {text}");
        return [];
    }
}
