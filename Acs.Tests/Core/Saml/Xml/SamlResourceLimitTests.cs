using System.Globalization;
using System.Security.Cryptography.Xml;
using System.Text;
using Acs.Core.Saml.Bindings;
using Acs.Core.Saml.Metadata;
using Acs.Core.Saml.Signatures;
using Acs.Core.Saml.Validation;
using Acs.Core.Saml.Xml;
using Acs.Testing.TestIdp;
using Acs.Tests.Core.Saml.Validation;

namespace Acs.Tests.Core.Saml.Xml;

/// <summary>
/// Rule 2's caps on what an unauthenticated post can make the parser and the canonicalizer do. These tests check
/// verdicts, not time; the time bound is measured by the benchmark (docs/performance.md).
/// </summary>
[TestFixture]
public sealed class SamlResourceLimitTests : SamlValidatorTestBase
{
    [TestCase(true)]
    [TestCase(false)]
    public void Validate_WithAnElementOfSixThousandNamespacePrefixedAttributes_IsRefusedByTheAttributeCap(bool withCarriageReturn)
    {
        // The shape that once cost seconds of CPU: ~205 KB, no valid signature needed.
        var attributes = new StringBuilder();
        for (var i = 0; i < 6000; i++)
        {
            attributes.Append(CultureInfo.InvariantCulture, $" xmlns:p{i}=\"urn:p{i}\" p{i}:a=\"v\"");
        }

        var xml = ReplaceFirst(Encoding.UTF8.GetString(new TestResponseBuilder().BuildBytes()),
            "<AttributeValue>", "<AttributeValue" + attributes + ">" + (withCarriageReturn ? "&#13;" : ""));
        var bytes = Encoding.UTF8.GetBytes(xml);
        Assert.That(bytes.Length, Is.InRange(200_000, TestResponseBuilder.Settings().MaxResponseBytes));

        var result = Validate(bytes);

        AssertRefused(result, SamlErrorCodes.XmlMalformed);
        Assert.That(result.Failure!.Message, Does.Contain("attributes"));
    }

    [Test]
    public void Validate_WithManyNamespaceDeclarationsSpreadOverElements_IsRefusedByTheDocumentCap()
    {
        var elements = new StringBuilder();
        for (var i = 0; i <= SafeXml.MaxNamespaceDeclarationsPerDocument / 16; i++)
        {
            elements.Append("<x");
            for (var j = 0; j < 16; j++)
            {
                elements.Append(CultureInfo.InvariantCulture, $" xmlns:n{j}=\"urn:n\"");
            }

            elements.Append("/>");
        }

        var xml = Encoding.UTF8.GetString(new TestResponseBuilder().BuildBytes())
            .Replace("</samlp:Status>", "</samlp:Status>" + elements, StringComparison.Ordinal);

        var result = Validate(Encoding.UTF8.GetBytes(xml));

        AssertRefused(result, SamlErrorCodes.XmlMalformed);
        Assert.That(result.Failure!.Message, Does.Contain("declares more than"));
    }

    [Test]
    public void Validate_WithManyDistinctNamespaceBindings_IsRefusedByTheBindingCap()
    {
        var elements = string.Concat(Enumerable.Range(0, SafeXml.MaxNamespaceBindingsPerDocument).Select(i => $"<x xmlns:n{i}=\"urn:n{i}\"/>"));
        var xml = Encoding.UTF8.GetString(new TestResponseBuilder().BuildBytes())
            .Replace("</samlp:Status>", "</samlp:Status>" + elements, StringComparison.Ordinal);

        var result = Validate(Encoding.UTF8.GetBytes(xml));

        AssertRefused(result, SamlErrorCodes.XmlMalformed);
        Assert.That(result.Failure!.Message, Does.Contain("distinct namespace"));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Validate_WithSignedContentAtTheCapsAndALargePrefixList_IsDecidedByTheSignature(bool alteredAfterSigning)
    {
        // Within every cap: nested elements with the most declarations allowed, an element with the most attributes
        // allowed using prefixes declared far above it, and a PrefixList naming every prefix. Nothing refuses it
        // before the signature, and the canonical form agrees with the signer's.
        // The response itself binds a handful of namespaces; the rest of the binding cap is used here.
        var prefixes = Enumerable.Range(0, SafeXml.MaxNamespaceBindingsPerDocument - 8).Select(i => $"q{i}").ToList();
        var content = new StringBuilder();
        for (var e = 0; e < 40; e++)
        {
            content.Append("<x");
            for (var d = 0; d < SafeXml.MaxNamespaceDeclarationsPerElement; d++)
            {
                var prefix = prefixes[(e * 5 + d) % prefixes.Count];
                content.Append(CultureInfo.InvariantCulture, $" xmlns:{prefix}=\"urn:{prefix}\"");
            }

            content.Append('>');
        }

        content.Append("<y");
        for (var a = 0; a < SafeXml.MaxAttributesPerElement; a++)
        {
            content.Append(CultureInfo.InvariantCulture, $" {prefixes[a * 17 % prefixes.Count]}:a{a}=\"v\"");
        }

        content.Append(">text</y>");
        for (var e = 0; e < 40; e++)
        {
            content.Append("</x>");
        }

        var builder = new TestResponseBuilder { Sign = SignMode.None };
        var document = new System.Xml.XmlDocument { PreserveWhitespace = true };
        document.LoadXml(ReplaceFirst(builder.BuildUnsigned().OuterXml, "<AttributeValue>", "<AttributeValue>" + content));
        var prefixList = string.Join(' ', prefixes);
        TestSigner.Sign(ResponseMutations.Assertion(document), new SignatureOptions
        {
            Transforms = () => [new XmlDsigEnvelopedSignatureTransform(), new XmlDsigExcC14NTransform(prefixList)],
        });
        var xml = TestResponseBuilder.ToBytes(document);
        Assert.That(Encoding.UTF8.GetString(xml), Does.Contain(prefixList));
        if (alteredAfterSigning)
        {
            xml = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(xml).Replace(">text</y>", ">texT</y>", StringComparison.Ordinal));
            AssertRefused(Validate(xml), SamlErrorCodes.SignatureInvalid);
        }
        else
        {
            AssertAccepted(Validate(xml));
        }
    }

    private static string ReplaceFirst(string text, string find, string replacement)
    {
        var at = text.IndexOf(find, StringComparison.Ordinal);
        Assert.That(at, Is.Not.Negative, find);
        return string.Concat(text.AsSpan(0, at), replacement, text.AsSpan(at + find.Length));
    }
}
