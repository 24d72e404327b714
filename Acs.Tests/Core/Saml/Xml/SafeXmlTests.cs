using System.Text;
using Acs.Core.Saml.Validation;
using Acs.Core.Saml.Xml;

namespace Acs.Tests.Core.Saml.Xml;

[TestFixture]
public sealed class SafeXmlTests
{
    [Test]
    public void Load_WithPlainXml_PreservesWhitespace()
    {
        var document = SafeXml.Load(Encoding.UTF8.GetBytes("<a>\n  <b> x </b>\n</a>"));

        Assert.That(document.PreserveWhitespace, Is.True);
        Assert.That(document.DocumentElement!.OuterXml, Is.EqualTo("<a>\n  <b> x </b>\n</a>"));
    }

    [Test]
    public void Load_WithDoctype_ThrowsDtdForbidden()
    {
        var exception = Assert.Throws<SafeXmlException>(() => SafeXml.Load(Encoding.UTF8.GetBytes("<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>")));

        Assert.That(exception!.Code, Is.EqualTo(SamlErrorCodes.XmlDtdForbidden));
    }

    [Test]
    public void Load_WithDoctypeWhoseEntityIsUsedInARootAttribute_ThrowsDtdForbidden()
    {
        var exception = Assert.Throws<SafeXmlException>(() =>
            SafeXml.Load(Encoding.UTF8.GetBytes("<!DOCTYPE a [<!ENTITY e \"x\">]><a ID=\"&e;\"/>")));

        Assert.That(exception!.Code, Is.EqualTo(SamlErrorCodes.XmlDtdForbidden));
    }

    [Test]
    public void Load_WithBillionLaughsDeclarations_ThrowsDtdForbiddenWithoutExpanding()
    {
        var xml = "<!DOCTYPE a [<!ENTITY l0 \"ha\">" + string.Concat(Enumerable.Range(1, 9).Select(i =>
            $"<!ENTITY l{i} \"{string.Concat(Enumerable.Repeat($"&l{i - 1};", 10))}\">")) + "]><a x=\"&l9;\">&l9;</a>";

        var exception = Assert.Throws<SafeXmlException>(() => SafeXml.Load(Encoding.UTF8.GetBytes(xml)));

        Assert.That(exception!.Code, Is.EqualTo(SamlErrorCodes.XmlDtdForbidden));
    }

    [Test]
    public void Load_WithMalformedXml_ThrowsMalformed()
    {
        var exception = Assert.Throws<SafeXmlException>(() => SafeXml.Load(Encoding.UTF8.GetBytes("<a><b></a>")));

        Assert.That(exception!.Code, Is.EqualTo(SamlErrorCodes.XmlMalformed));
    }

    [Test]
    public void Load_WithMoreCharactersThanTheCap_ThrowsMalformed()
    {
        var xml = "<a>" + new string('x', 10_000) + "</a>";

        var exception = Assert.Throws<SafeXmlException>(() => SafeXml.Load(Encoding.UTF8.GetBytes(xml), maxCharacters: 1_000));

        Assert.That(exception!.Code, Is.EqualTo(SamlErrorCodes.XmlMalformed));
    }

    [Test]
    public void TryLoad_WithExternalEntityReference_NeverResolvesIt()
    {
        var ok = SafeXml.TryLoad(Encoding.UTF8.GetBytes("<!DOCTYPE a SYSTEM \"http://127.0.0.1:1/evil.dtd\"><a/>"), out var document, out var code, out _);

        Assert.That(ok, Is.False);
        Assert.That(document, Is.Null);
        Assert.That(code, Is.EqualTo(SamlErrorCodes.XmlDtdForbidden));
    }

    private const string Bomb = "<!ENTITY % a0 \"ha\"><!ENTITY % a1 \"%a0;%a0;%a0;%a0;%a0;%a0;%a0;%a0;%a0;%a0;\">"
        + "<!ENTITY % a2 \"%a1;%a1;%a1;%a1;%a1;%a1;%a1;%a1;%a1;%a1;\"><!ENTITY % a3 \"%a2;%a2;%a2;%a2;%a2;%a2;%a2;%a2;%a2;%a2;\">"
        + "<!ENTITY % a4 \"%a3;%a3;%a3;%a3;%a3;%a3;%a3;%a3;%a3;%a3;\">";

    public static IEnumerable<TestCaseData> Doctypes()
    {
        TestCaseData Utf8(string name, string xml) => new TestCaseData(Encoding.UTF8.GetBytes(xml)).SetName("Load_WithDoctype_" + name + "_IsDtdForbidden");
        TestCaseData Bytes(string name, byte[] bytes) => new TestCaseData(bytes).SetName("Load_WithDoctype_" + name + "_IsDtdForbidden");

        yield return Utf8("ParameterEntityBomb", "<!DOCTYPE a [" + Bomb + "%a4;]><a/>");
        yield return Utf8("ParameterEntityBombInAnEntityValue", "<!DOCTYPE a [" + Bomb + "<!ENTITY e \"%a4;\">]><a>&e;</a>");
        yield return Utf8("ParameterEntityDeclaringAnEntity", "<!DOCTYPE a [<!ENTITY % p \"<!ENTITY e 'x'>\"> %p;]><a>&e;</a>");
        yield return Utf8("ParameterEntityWithCharacterReferences", "<!DOCTYPE a [<!ENTITY % p \"<!ENTITY &#37; q 'x'>\"> %p; %q;]><a/>");
        yield return Utf8("ExternalParameterEntity", "<!DOCTYPE a [<!ENTITY % ext SYSTEM \"http://127.0.0.1:1/x.dtd\"> %ext;]><a/>");
        yield return Utf8("UndeclaredParameterEntity", "<!DOCTYPE a [%undeclared;]><a/>");
        yield return Utf8("ExternalSystemDtd", "<!DOCTYPE a SYSTEM \"file:///etc/passwd\"><a/>");
        yield return Utf8("ExternalPublicDtd", "<!DOCTYPE a PUBLIC \"-//A//B//EN\" \"http://127.0.0.1:1/b.dtd\"><a/>");
        yield return Utf8("ElementDeclarationOnly", "<!DOCTYPE a [<!ELEMENT a ANY>]><a/>");
        yield return Utf8("ConditionalSection", "<!DOCTYPE a [<![INCLUDE[<!ENTITY e \"x\">]]>]><a>&e;</a>");
        yield return Utf8("GarbageInInternalSubset", "<!DOCTYPE a [ not a declaration ]><a/>");
        yield return Utf8("UnterminatedInternalSubset", "<!DOCTYPE a [<!ENTITY e \"x\">");
        yield return Utf8("TruncatedKeyword", "<!DOCTYPE");
        yield return Utf8("LowerCase", "<!doctype a><a/>");
        yield return Utf8("AfterXmlDeclaration", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE a><a/>");
        yield return Utf8("AfterCommentsAndProcessingInstructions", "<!-- c --><?pi data?>\n<!-- <!DOCTYPE x> --><!DOCTYPE a><a/>");
        yield return Utf8("AfterTheRootElement", "<a/><!DOCTYPE a>");
        yield return Utf8("InsideTheRootElement", "<a><!DOCTYPE a></a>");
        yield return Utf8("DeclaringAnotherEncoding", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><!DOCTYPE a [<!ENTITY e \"\u00e9\">]><a>&e;</a>");
        yield return Utf8("InternalSubsetLongerThanTheCharacterCap", "<!DOCTYPE a [<!-- " + new string('x', 5000) + " -->]><a/>");
        yield return Bytes("AfterUtf8ByteOrderMark", [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes("<!DOCTYPE a [" + Bomb + "%a4;]><a/>")]);
        yield return Bytes("Utf16LittleEndianWithByteOrderMark", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("<!DOCTYPE a [" + Bomb + "%a4;]><a/>")]);
        yield return Bytes("Utf16BigEndianWithByteOrderMark", [.. Encoding.BigEndianUnicode.GetPreamble(), .. Encoding.BigEndianUnicode.GetBytes("<!DOCTYPE a><a/>")]);
        yield return Bytes("Utf16WithoutByteOrderMark", Encoding.Unicode.GetBytes("<?xml version=\"1.0\" encoding=\"UTF-16\"?><!DOCTYPE a [" + Bomb + "%a4;]><a/>"));
        yield return Bytes("Utf32WithByteOrderMark", [.. Encoding.UTF32.GetPreamble(), .. Encoding.UTF32.GetBytes("<!DOCTYPE a><a/>")]);
    }

    [TestCaseSource(nameof(Doctypes))]
    public void Load_WithAnyDoctype_IsDtdForbidden(byte[] bytes)
    {
        var ok = SafeXml.TryLoad(bytes, out var document, out var code, out var message, maxCharacters: 4096);

        Assert.That(ok, Is.False);
        Assert.That(document, Is.Null);
        Assert.That(code, Is.EqualTo(SamlErrorCodes.XmlDtdForbidden), message);
    }

    [TestCase("<a><!-- <!DOCTYPE a> --><b></a>")]
    [TestCase("<a><![CDATA[<!DOCTYPE a>]]><b></a>")]
    [TestCase("<a><?pi <!DOCTYPE a>?><b></a>")]
    public void Load_WithDoctypeTextOnlyInsideACommentCdataOrPiOfAMalformedDocument_IsMalformed(string xml)
    {
        var ok = SafeXml.TryLoad(Encoding.UTF8.GetBytes(xml), out _, out var code, out _);

        Assert.That(ok, Is.False);
        Assert.That(code, Is.EqualTo(SamlErrorCodes.XmlMalformed));
    }

    [Test]
    public void Load_WithDoctypeTextInsideACommentOfAWellFormedDocument_Parses() =>
        Assert.That(SafeXml.Load(Encoding.UTF8.GetBytes("<a><!-- <!DOCTYPE a> --></a>")).DocumentElement!.Name, Is.EqualTo("a"));

    [Test]
    public void Load_KeepsCharacterReferencesAndNormalisesRawWhitespaceAsXmlSays()
    {
        var document = SafeXml.Load(Encoding.UTF8.GetBytes("<a b=\"t&#9;l&#10;c&#13;\" c=\"raw\tl\nc\r\n.\">x&#13;y\r\nz\rw</a>"));
        var root = document.DocumentElement!;

        Assert.That(root.GetAttribute("b"), Is.EqualTo("t\tl\nc\r"));
        Assert.That(root.GetAttribute("c"), Is.EqualTo("raw l c ."));
        Assert.That(root.InnerText, Is.EqualTo("x\ry\nz\nw"));
    }

    [Test]
    public void Load_WithAttributesUpToTheCap_Parses() =>
        Assert.That(SafeXml.Load(Element(attributes: SafeXml.MaxAttributesPerElement, declarations: 0)).DocumentElement!.FirstChild!.Attributes!.Count,
            Is.EqualTo(SafeXml.MaxAttributesPerElement));

    [Test]
    public void Load_WithOneAttributeMoreThanTheCap_IsMalformed() =>
        AssertMalformed(Element(attributes: SafeXml.MaxAttributesPerElement + 1, declarations: 0), "attributes");

    [Test]
    public void Load_WithNamespaceDeclarationsUpToTheCap_Parses() =>
        Assert.That(SafeXml.Load(Element(attributes: 0, declarations: SafeXml.MaxNamespaceDeclarationsPerElement)).DocumentElement, Is.Not.Null);

    [Test]
    public void Load_WithOneNamespaceDeclarationMoreThanTheCap_IsMalformed() =>
        AssertMalformed(Element(attributes: 0, declarations: SafeXml.MaxNamespaceDeclarationsPerElement + 1), "namespaces");

    [Test]
    public void Load_WithNamespaceDeclarationsInTheDocumentUpToTheCap_Parses() =>
        Assert.That(SafeXml.Load(ManyDeclaringElements(SafeXml.MaxNamespaceDeclarationsPerDocument)).DocumentElement, Is.Not.Null);

    [Test]
    public void Load_WithOneNamespaceDeclarationInTheDocumentMoreThanTheCap_IsMalformed() =>
        AssertMalformed(ManyDeclaringElements(SafeXml.MaxNamespaceDeclarationsPerDocument + 1), "namespaces");

    [Test]
    public void Load_WithDistinctNamespaceBindingsUpToTheCap_Parses() =>
        Assert.That(SafeXml.Load(DistinctBindings(SafeXml.MaxNamespaceBindingsPerDocument)).DocumentElement, Is.Not.Null);

    [Test]
    public void Load_WithOneDistinctNamespaceBindingMoreThanTheCap_IsMalformed() =>
        AssertMalformed(DistinctBindings(SafeXml.MaxNamespaceBindingsPerDocument + 1), "distinct namespace");

    [Test]
    public void Load_WithTheSamePrefixBoundToManyUris_CountsEachBinding() =>
        AssertMalformed(Encoding.UTF8.GetBytes("<r>" + string.Concat(Enumerable.Range(0, SafeXml.MaxNamespaceBindingsPerDocument + 1)
            .Select(i => $"<p:e xmlns:p=\"urn:{i}\"/>")) + "</r>"), "distinct namespace");

    [Test]
    public void Load_NestedUpToTheCap_Parses() =>
        Assert.That(SafeXml.Load(Nested(SafeXml.MaxDepth)).DocumentElement, Is.Not.Null);

    [Test]
    public void Load_NestedOneLevelDeeperThanTheCap_IsMalformed() =>
        AssertMalformed(Nested(SafeXml.MaxDepth + 1), "nested");

    private static void AssertMalformed(byte[] xml, string messagePart)
    {
        var ok = SafeXml.TryLoad(xml, out var document, out var code, out var message);

        Assert.That(ok, Is.False);
        Assert.That(document, Is.Null);
        Assert.That(code, Is.EqualTo(SamlErrorCodes.XmlMalformed));
        Assert.That(message, Does.Contain(messagePart));
    }

    /// <summary>A root holding one element with the given attributes (prefixed, declared on the root) and
    /// namespace declarations (each with its own prefix).</summary>
    private static byte[] Element(int attributes, int declarations)
    {
        var xml = new StringBuilder("<r xmlns:p=\"urn:p\"><e");
        for (var i = 0; i < declarations; i++)
        {
            xml.Append(System.Globalization.CultureInfo.InvariantCulture, $" xmlns:n{i}=\"urn:n{i}\"");
        }

        for (var i = 0; i < attributes; i++)
        {
            xml.Append(System.Globalization.CultureInfo.InvariantCulture, $" p:a{i}=\"v\"");
        }

        return Encoding.UTF8.GetBytes(xml.Append("/></r>").ToString());
    }

    /// <summary>Siblings declaring as many namespaces as allowed per element, <paramref name="total"/> in all, all of
    /// them the same few bindings.</summary>
    private static byte[] ManyDeclaringElements(int total)
    {
        var xml = new StringBuilder("<r>");
        for (var i = 0; i < total; i += SafeXml.MaxNamespaceDeclarationsPerElement)
        {
            xml.Append("<e");
            for (var j = i; j < Math.Min(total, i + SafeXml.MaxNamespaceDeclarationsPerElement); j++)
            {
                xml.Append(System.Globalization.CultureInfo.InvariantCulture, $" xmlns:n{j % SafeXml.MaxNamespaceDeclarationsPerElement}=\"urn:n\"");
            }

            xml.Append("/>");
        }

        return Encoding.UTF8.GetBytes(xml.Append("</r>").ToString());
    }

    /// <summary><paramref name="count"/> distinct prefixes, each declared on its own element (and once more, the same).</summary>
    private static byte[] DistinctBindings(int count) =>
        Encoding.UTF8.GetBytes("<r>" + string.Concat(Enumerable.Range(0, count).Select(i => $"<e xmlns:p{i}=\"urn:p{i}\"><f xmlns:p{i}=\"urn:p{i}\"/></e>")) + "</r>");

    private static byte[] Nested(int depth) =>
        Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("<a>", depth)) + string.Concat(Enumerable.Repeat("</a>", depth)));
}
