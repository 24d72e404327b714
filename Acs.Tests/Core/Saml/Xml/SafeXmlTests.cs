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
}
