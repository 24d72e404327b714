using System.Security.Cryptography;
using System.Security.Cryptography.Xml;
using System.Xml;
using Acs.Core.Saml.Signatures;
using Acs.Core.Saml.Validation;
using Acs.Core.Saml.Xml;
using Acs.Testing.TestIdp;

namespace Acs.Tests.Core.Saml.Signatures;

/// <summary>
/// The validator's exclusive canonicalization: exact output for the rules that matter most (escaping, namespace
/// rendering, no import of ancestors' attributes), and agreement with what .NET's SignedXml signs on the documents
/// where SignedXml follows the specification (it does not for CR in text, TAB/LF/CR in attribute values, or
/// ancestors' xml:* attributes; those are compared with xmlsec1 in <see cref="ExclusiveCanonicalizerXmlsecTests"/>).
/// </summary>
public sealed class ExclusiveCanonicalizerTests
{
    private const string Saml = SamlConstants.AssertionNamespace;

    public static IEnumerable<TestCaseData> Samples()
    {
        TestCaseData Case(string name, string xml, string? prefixList = null) => new TestCaseData(xml, prefixList).SetName(name);

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
    public void Canonicalize_MatchesWhatSignedXmlDigestsAndSigns(string xml, string? prefixList)
    {
        var document = new XmlDocument { PreserveWhitespace = true };
        document.LoadXml(xml);
        var element = (XmlElement)document.SelectSingleNode("//*[@ID='_a']")!;
        var signature = TestSigner.Sign(element, new SignatureOptions
        {
            Transforms = () => [new XmlDsigEnvelopedSignatureTransform(), prefixList is null ? new XmlDsigExcC14NTransform() : new XmlDsigExcC14NTransform(prefixList)],
        });

        var canonical = ExclusiveCanonicalizer.Canonicalize(element, signature, prefixList?.Split(' ') ?? []);
        var digestValue = Convert.FromBase64String(signature.GetElementsByTagName("DigestValue", SamlConstants.XmlDsigNamespace)[0]!.InnerText);
        Assert.That(SHA256.HashData(canonical), Is.EqualTo(digestValue), System.Text.Encoding.UTF8.GetString(canonical));

        var signedInfo = (XmlElement)signature.GetElementsByTagName("SignedInfo", SamlConstants.XmlDsigNamespace)[0]!;
        var signatureValue = Convert.FromBase64String(signature.GetElementsByTagName("SignatureValue", SamlConstants.XmlDsigNamespace)[0]!.InnerText);
        var canonicalSignedInfo = ExclusiveCanonicalizer.Canonicalize(signedInfo, null, []);
        Assert.That(((RSA)TestIdpKeys.Default.Key).VerifyData(canonicalSignedInfo, signatureValue, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            Is.True, System.Text.Encoding.UTF8.GetString(canonicalSignedInfo));
    }

    [Test]
    public void XmlAttributeOnTheSignedElementItself_IsCanonicalizedAsItsOwnAttributeAndValidates()
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
    public void Canonicalize_CarriageReturnInText_IsWrittenAsCharacterReference()
    {
        // The parser turns a raw CR LF into LF and keeps a referenced CR: the canonical form shows exactly that.
        var canonical = CanonicalText("<a xmlns=\"urn:t\">x&#13;y&#13;&#10;z\r\nw &gt; &amp; &lt; \" '</a>");

        Assert.That(canonical, Is.EqualTo("<a xmlns=\"urn:t\">x&#xD;y&#xD;\nz\nw &gt; &amp; &lt; \" '</a>"));
    }

    [Test]
    public void Canonicalize_TabLineFeedCarriageReturnInAttributeValue_AreWrittenAsCharacterReferences()
    {
        // Raw TAB/LF/CR in an attribute value are normalised to spaces by the parser; referenced ones are kept.
        var canonical = CanonicalText("<a b=\"t&#9;l&#10;c&#13;q&quot;&amp;&lt;&gt;'\" c=\"raw\ttab\nlf\"/>");

        Assert.That(canonical, Is.EqualTo("<a b=\"t&#x9;l&#xA;c&#xD;q&quot;&amp;&lt;>'\" c=\"raw tab lf\"></a>"));
    }

    [Test]
    public void Canonicalize_AncestorsXmlAttributesAndUnusedNamespaces_AreNotImported()
    {
        var document = SafeXml.Load(System.Text.Encoding.UTF8.GetBytes(
            "<r xmlns=\"urn:r\" xmlns:u=\"urn:u\" xmlns:p=\"urn:p\" xml:lang=\"en\" xml:space=\"preserve\"><p:t ID=\"_a\" xml:base=\"b\" u:x=\"1\"><c/></p:t></r>"));
        var element = (XmlElement)document.DocumentElement!.FirstChild!;

        var canonical = System.Text.Encoding.UTF8.GetString(ExclusiveCanonicalizer.Canonicalize(element, null, []));

        Assert.That(canonical, Is.EqualTo(
            "<p:t xmlns:p=\"urn:p\" xmlns:u=\"urn:u\" ID=\"_a\" xml:base=\"b\" u:x=\"1\"><c xmlns=\"urn:r\"></c></p:t>"));
    }

    [Test]
    public void Canonicalize_InclusivePrefixes_AreWrittenWhereInScopeAndOnlyRedeclaredBelow()
    {
        var document = SafeXml.Load(System.Text.Encoding.UTF8.GetBytes(
            "<r xmlns=\"urn:r\" xmlns:i=\"urn:i\" xmlns:n=\"urn:n\"><t><c xmlns:i=\"urn:i\"/><d xmlns:i=\"urn:i2\"/><e xmlns=\"\"/></t></r>"));
        var element = (XmlElement)document.DocumentElement!.FirstChild!;

        var canonical = System.Text.Encoding.UTF8.GetString(ExclusiveCanonicalizer.Canonicalize(element, null, ["i", "#default", "absent"]));

        Assert.That(canonical, Is.EqualTo(
            "<t xmlns=\"urn:r\" xmlns:i=\"urn:i\"><c></c><d xmlns:i=\"urn:i2\"></d><e xmlns=\"\"></e></t>"));
    }

    [Test]
    public void CompareCodePoints_OrdersSupplementaryCharactersAfterTheRestOfTheBasicPlane()
    {
        Assert.That(ExclusiveCanonicalizer.CompareCodePoints("\uFF21", "\U00010400"), Is.Negative);
        Assert.That(string.CompareOrdinal("\uFF21", "\U00010400"), Is.Positive, "UTF-16 order differs here");
        Assert.That(ExclusiveCanonicalizer.CompareCodePoints("a", "ab"), Is.Negative);
        Assert.That(ExclusiveCanonicalizer.CompareCodePoints("b", "a"), Is.Positive);
        Assert.That(ExclusiveCanonicalizer.CompareCodePoints("x", "x"), Is.Zero);
    }

    private static string CanonicalText(string xml)
    {
        var document = SafeXml.Load(System.Text.Encoding.UTF8.GetBytes(xml));
        return System.Text.Encoding.UTF8.GetString(ExclusiveCanonicalizer.Canonicalize(document.DocumentElement!, null, []));
    }

    [Test]
    public void Canonicalize_AttributeValueThatWouldCloseTheQuote_StaysInsideIt()
    {
        var document = new XmlDocument { PreserveWhitespace = true };
        document.LoadXml($"""<Assertion xmlns="{Saml}" ID="_a" a='x" b="y'/>""");

        var canonical = System.Text.Encoding.UTF8.GetString(ExclusiveCanonicalizer.Canonicalize(document.DocumentElement!, null, []));

        Assert.That(canonical, Is.EqualTo($"""<Assertion xmlns="{Saml}" ID="_a" a="x&quot; b=&quot;y"></Assertion>"""));
    }

    [Test]
    public void Canonicalize_EntityReference_Throws()
    {
        var document = new XmlDocument { PreserveWhitespace = true };
        document.LoadXml($"""<Assertion xmlns="{Saml}" ID="_a"/>""");
        document.DocumentElement!.AppendChild(document.CreateEntityReference("ent"));

        Assert.Throws<XmlException>(() => ExclusiveCanonicalizer.Canonicalize(document.DocumentElement, null, []));
    }
}
