using System.Security.Cryptography;
using System.Security.Cryptography.Xml;
using System.Xml;
using Acs.Core.Saml.Signatures;
using Acs.Core.Saml.Validation;
using Acs.Core.Saml.Xml;
using Acs.Testing.TestIdp;

namespace Acs.Tests.Core.Saml.Signatures;

/// <summary>
/// The validator's own exclusive canonicalization must produce exactly the bytes .NET's SignedXml digests and signs,
/// on every shape of namespace, attribute, text and node that can reach it: SignedXml signs each sample, and the
/// canonical form computed here must hash to its DigestValue and its SignedInfo must verify under the key.
/// </summary>
public sealed class ExclusiveCanonicalizerTests
{
    private const string Saml = SamlConstants.AssertionNamespace;

    public static IEnumerable<TestCaseData> Samples()
    {
        TestCaseData Case(string name, string xml, string? prefixList = null) => new TestCaseData(xml, prefixList, false).SetName(name);

        // SignedXml turns these characters into others before canonicalizing; such documents are left to it.
        TestCaseData Fallback(string name, string xml) => new TestCaseData(xml, null, true).SetName(name);

        yield return Case("EntraDefaultNamespace", $"""
            <root xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><Assertion xmlns="{Saml}" ID="_a" Version="2.0"><Issuer>https://sts.windows.net/x/</Issuer><Subject><NameID Format="f">jane@contoso.test</NameID></Subject></Assertion></root>
            """);
        yield return Case("PrefixDeclaredOnAncestorOnly", $"""
            <samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="{Saml}" xmlns:unused="urn:unused" ID="_r"><saml:Assertion ID="_a"><saml:Issuer>i</saml:Issuer></saml:Assertion></samlp:Response>
            """);
        yield return Case("UnusedDeclarationsEverywhere", $"""
            <Assertion xmlns="{Saml}" xmlns:a="urn:a" xmlns:b="urn:b" ID="_a"><Issuer xmlns:c="urn:c">i</Issuer><Subject xmlns:a="urn:a2"><a:X/></Subject></Assertion>
            """);
        yield return Case("DefaultNamespaceUndeclared", $"""
            <Assertion xmlns="{Saml}" ID="_a"><Issuer>i</Issuer><Extra xmlns=""><Inner/></Extra><Back xmlns="{Saml}"/></Assertion>
            """);
        yield return Case("XsiTypeAndSortedAttributes", $"""
            <saml:Assertion xmlns:saml="{Saml}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:z="urn:z" ID="_a" z:b="2" Version="2.0" IssueInstant="t" z:a="1"><saml:AttributeValue xsi:type="xs:string" b="x" xml:lang="en" a="y">v</saml:AttributeValue></saml:Assertion>
            """);
        yield return Case("EscapesInTextAndAttributes", $"""
            <Assertion xmlns="{Saml}" ID="_a" q="a &amp; b &lt; c &gt; d &quot;e&quot; 'f'"><Issuer>a &amp; b &lt; c &gt; d "e" 'f'</Issuer></Assertion>
            """);
        yield return Fallback("AttributeWhitespaceCharacterReferences", $"""
            <Assertion xmlns="{Saml}" ID="_a" q="tab&#9;lf&#10;cr&#13;"><Issuer>i</Issuer></Assertion>
            """);
        yield return Fallback("TextCarriageReturnReference", $"""
            <Assertion xmlns="{Saml}" ID="_a"><Issuer>cr&#13;end</Issuer></Assertion>
            """);
        yield return Case("CDataSection", $"""
            <Assertion xmlns="{Saml}" ID="_a"><Issuer><![CDATA[<cdata> & ]]> ]]&gt;</Issuer></Assertion>
            """);
        yield return Case("CommentsProcessingInstructionsWhitespace", $"""
            <Assertion xmlns="{Saml}" ID="_a">
              <!-- a comment -->
              <?pi some data?><?empty?>
              <Issuer>i<!-- inside -->j</Issuer>
            </Assertion>
            """);
        yield return Case("PrefixRebound", $"""
            <p:Assertion xmlns:p="{Saml}" ID="_a"><p:Issuer>i</p:Issuer><p:Other xmlns:p="urn:other"><p:In/></p:Other></p:Assertion>
            """);
        yield return Case("NonAsciiText", $"""
            <Assertion xmlns="{Saml}" ID="_a"><Issuer>Zoë Ünïcødé 日本 😀</Issuer></Assertion>
            """);
        yield return Case("InclusivePrefixList", $"""
            <root xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns="urn:outer"><saml:Assertion xmlns:saml="{Saml}" ID="_a"><saml:Issuer>i</saml:Issuer><Plain/></saml:Assertion></root>
            """, "xs #default");
        yield return Case("InclusivePrefixNotInScope", $"""
            <Assertion xmlns="{Saml}" ID="_a"><Issuer>i</Issuer></Assertion>
            """, "nothere");
    }

    [TestCaseSource(nameof(Samples))]
    public void Canonicalize_MatchesWhatSignedXmlDigestsAndSigns(string xml, string? prefixList, bool leftToSignedXml)
    {
        var document = new XmlDocument { PreserveWhitespace = true };
        document.LoadXml(xml);
        var element = (XmlElement)document.SelectSingleNode("//*[@ID='_a']")!;
        var signature = TestSigner.Sign(element, new SignatureOptions
        {
            Transforms = () => [new XmlDsigEnvelopedSignatureTransform(), prefixList is null ? new XmlDsigExcC14NTransform() : new XmlDsigExcC14NTransform(prefixList)],
        });

        var canonical = ExclusiveCanonicalizer.TryCanonicalize(element, signature, prefixList?.Split(' ') ?? []);
        if (leftToSignedXml)
        {
            Assert.That(canonical, Is.Null);
            return;
        }

        Assert.That(canonical, Is.Not.Null);
        var digestValue = Convert.FromBase64String(signature.GetElementsByTagName("DigestValue", SamlConstants.XmlDsigNamespace)[0]!.InnerText);
        Assert.That(SHA256.HashData(canonical!), Is.EqualTo(digestValue), System.Text.Encoding.UTF8.GetString(canonical!));

        var signedInfo = (XmlElement)signature.GetElementsByTagName("SignedInfo", SamlConstants.XmlDsigNamespace)[0]!;
        var signatureValue = Convert.FromBase64String(signature.GetElementsByTagName("SignatureValue", SamlConstants.XmlDsigNamespace)[0]!.InnerText);
        var canonicalSignedInfo = ExclusiveCanonicalizer.TryCanonicalize(signedInfo, null, [])!;
        Assert.That(((RSA)TestIdpKeys.Default.Key).VerifyData(canonicalSignedInfo, signatureValue, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            Is.True, System.Text.Encoding.UTF8.GetString(canonicalSignedInfo));
    }

    [Test]
    public void XmlAttributeOnAnAncestorOfTheSignature_IsLeftToSignedXmlAndStillValidates()
    {
        var document = new TestResponseBuilder { Sign = SignMode.None }.Build();
        var assertion = ResponseMutations.Assertion(document);
        var lang = document.CreateAttribute("xml", "lang", "http://www.w3.org/XML/1998/namespace");
        lang.Value = "en";
        assertion.SetAttributeNode(lang);
        TestSigner.Sign(assertion);

        var result = new SamlResponseValidator(new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TestResponseBuilder.Now))
            .ValidateXml(TestResponseBuilder.ToBytes(document), TestResponseBuilder.Settings());

        Assert.That(result.IsValid, Is.True, () => result.Failure?.Message ?? "");
    }

    [Test]
    public void Canonicalize_AttributeValueThatWouldCloseTheQuote_StaysInsideIt()
    {
        var document = new XmlDocument { PreserveWhitespace = true };
        document.LoadXml($"""<Assertion xmlns="{Saml}" ID="_a" a='x" b="y'/>""");

        var canonical = System.Text.Encoding.UTF8.GetString(ExclusiveCanonicalizer.TryCanonicalize(document.DocumentElement!, null, [])!);

        Assert.That(canonical, Is.EqualTo($"""<Assertion xmlns="{Saml}" ID="_a" a="x&quot; b=&quot;y"></Assertion>"""));
    }

    [Test]
    public void Canonicalize_EntityReference_Throws()
    {
        var document = new XmlDocument { PreserveWhitespace = true };
        document.LoadXml($"""<Assertion xmlns="{Saml}" ID="_a"/>""");
        document.DocumentElement!.AppendChild(document.CreateEntityReference("ent"));

        Assert.Throws<XmlException>(() => ExclusiveCanonicalizer.TryCanonicalize(document.DocumentElement, null, []));
    }
}
