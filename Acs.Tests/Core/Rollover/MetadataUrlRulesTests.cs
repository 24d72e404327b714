using Acs.Core.Rollover;

namespace Acs.Tests.Core.Rollover;

public sealed class MetadataUrlRulesTests
{
    private static readonly IReadOnlyList<string> Defaults = RolloverOptions.DefaultAllowedHosts;

    [TestCase("https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/federationmetadata/2007-06/federationmetadata.xml?appid=abc")]
    [TestCase("https://login.microsoftonline.us/t/federationmetadata/2007-06/federationmetadata.xml")]
    [TestCase("https://acme.okta.com/app/exk1/sso/saml/metadata")]
    [TestCase("https://ACME.OKTA.COM/app/metadata")]
    [TestCase("https://a.b.onelogin.com/saml/metadata/1")]
    [TestCase("https://accounts.google.com/o/saml2/idp?idpid=x")]
    public void Check_AllowListedHttpsUrl_IsAccepted(string url) =>
        Assert.That(MetadataUrlRules.Check(url, Defaults), Is.Null);

    [TestCase("http://login.microsoftonline.com/t/federationmetadata/2007-06/federationmetadata.xml")]
    [TestCase("ftp://login.microsoftonline.com/metadata.xml")]
    [TestCase("file:///etc/passwd")]
    [TestCase("login.microsoftonline.com/metadata.xml")]
    [TestCase("https://user:secret@login.microsoftonline.com/metadata.xml")]
    [TestCase("")]
    public void Check_NotHttpsUrl_IsRefused(string url) =>
        Assert.That(MetadataUrlRules.Check(url, Defaults)?.Code, Is.EqualTo(MetadataUrlRules.UrlInvalid));

    [TestCase("https://evil.example.net/metadata.xml")]
    [TestCase("https://okta.com/metadata.xml")] // *.okta.com is subdomains only
    [TestCase("https://evilokta.com/metadata.xml")]
    [TestCase("https://login.microsoftonline.com.evil.net/metadata.xml")]
    [TestCase("https://169.254.169.254/latest/meta-data/")]
    [TestCase("https://127.0.0.1/metadata.xml")]
    [TestCase("https://localhost/metadata.xml")]
    public void Check_HostNotAllowListed_IsRefused(string url) =>
        Assert.That(MetadataUrlRules.Check(url, Defaults)?.Code, Is.EqualTo(MetadataUrlRules.HostNotAllowed));
}
