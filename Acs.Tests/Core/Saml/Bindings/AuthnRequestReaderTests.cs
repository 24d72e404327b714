using System.Text;
using Acs.Core.Saml.Bindings;
using Acs.Core.Saml.Xml;

namespace Acs.Tests.Core.Saml.Bindings;

public sealed class AuthnRequestReaderTests
{
    [Test]
    public void TryRead_OfAWrittenRequest_GivesItsIdAcsAndIssuer()
    {
        var xml = AuthnRequestWriter.Write("_abc123", DateTimeOffset.UnixEpoch, "https://idp.example/sso",
            "https://acme.statuspage.io/", "https://acme.statuspage.io/sso/saml/consume");

        var request = AuthnRequestReader.TryRead(RedirectBinding.Encode(xml));

        Assert.That(request, Is.EqualTo(new AuthnRequestInfo("_abc123", "https://acme.statuspage.io/sso/saml/consume", "https://acme.statuspage.io/")));
    }

    [TestCase(null)]
    [TestCase("not base64!")]
    [TestCase("aGVsbG8=")] // base64, but not DEFLATE data
    public void TryRead_OfGarbage_IsNull(string? samlRequest) => Assert.That(AuthnRequestReader.TryRead(samlRequest), Is.Null);

    [Test]
    public void TryRead_OfAResponseInsteadOfARequest_IsNull()
    {
        var xml = $"<samlp:Response xmlns:samlp=\"{SamlConstants.ProtocolNamespace}\" ID=\"_r\"/>";

        Assert.That(AuthnRequestReader.TryRead(RedirectBinding.Encode(xml)), Is.Null);
    }

    [Test]
    public void TryRead_WithDoctype_IsNullAndNothingExpands()
    {
        var xml = $"<!DOCTYPE a [<!ENTITY e \"_x\">]><samlp:AuthnRequest xmlns:samlp=\"{SamlConstants.ProtocolNamespace}\" ID=\"&e;\"/>";

        Assert.That(AuthnRequestReader.TryRead(RedirectBinding.Encode(xml)), Is.Null);
    }

    [Test]
    public void Decode_OfADeflateBomb_IsNullBeyondTheCap()
    {
        var bomb = RedirectBinding.Encode(new string('a', RedirectBinding.MaxInflatedBytes * 4));

        Assert.That(bomb.Length, Is.LessThan(RedirectBinding.MaxInflatedBytes));
        Assert.That(RedirectBinding.Decode(bomb), Is.Null);
        Assert.That(Encoding.UTF8.GetString(RedirectBinding.Decode(RedirectBinding.Encode("<a/>"))!), Is.EqualTo("<a/>"));
    }
}
