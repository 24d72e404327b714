using System.Net;
using System.Web;
using System.Xml;
using Acs.Core.Login;
using Acs.Core.Saml;
using Dapper;

namespace Acs.Tests.Login;

/// <summary>SP-initiated sign-in: the AuthnRequest redirect, and responses answering (or pretending to answer) it.</summary>
public sealed class SpInitiatedSignInTests
{
    private AcsTestSite _site = null!;

    [OneTimeSetUp]
    public async Task Start() => _site = await AcsTestSite.StartAsync("spinit");

    [OneTimeTearDown]
    public async Task Stop() => await _site.DisposeAsync();

    private static string NewSubdomain() => "t" + Guid.NewGuid().ToString("N")[..12];

    [Test]
    public async Task Login_RedirectsToSsoTargetUrlWithWellFormedAuthnRequest()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);

        using var response = await _site.Browser(subdomain).GetAsync(new Uri("/sso/saml/login?returnTo=%2Fincidents", UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var location = response.Headers.Location!;
        Assert.That(location.GetLeftPart(UriPartial.Path), Is.EqualTo("https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/saml2"));
        var query = HttpUtility.ParseQueryString(location.Query);
        var request = new XmlDocument();
        request.Load(new MemoryStream(RedirectBinding.Decode(query["SAMLRequest"])!));
        var root = request.DocumentElement!;
        Assert.Multiple(() =>
        {
            Assert.That(root.LocalName, Is.EqualTo("AuthnRequest"));
            Assert.That(root.NamespaceURI, Is.EqualTo(SamlConstants.ProtocolNamespace));
            Assert.That(root.GetAttribute("Version"), Is.EqualTo("2.0"));
            Assert.That(root.GetAttribute("ID"), Does.StartWith("_").And.Length.EqualTo(33));
            Assert.That(root.GetAttribute("Destination"), Is.EqualTo("https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/saml2"));
            Assert.That(root.GetAttribute("AssertionConsumerServiceURL"), Is.EqualTo($"https://{subdomain}.statuspage.io/sso/saml/consume"));
            Assert.That(root.GetAttribute("ProtocolBinding"), Is.EqualTo("urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"));
            Assert.That(root["Issuer", SamlConstants.AssertionNamespace]?.InnerText, Is.EqualTo($"https://{subdomain}.statuspage.io/"));
            Assert.That(root["NameIDPolicy", SamlConstants.ProtocolNamespace]?.GetAttribute("AllowCreate"), Is.EqualTo("true"));
            Assert.That(query["RelayState"], Is.EqualTo(root.GetAttribute("ID")), "RelayState carries a reference, not the return path");
        });
    }

    [Test]
    public async Task Consume_AnsweringOutstandingRequest_IsAcceptedOnceAndReturnsToTheStoredPath()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);
        var requestId = await StartSignInAsync(subdomain, "/incidents?open=1");

        using var first = await AcsTestSite.PostAsync(_site.Browser(subdomain), Answering(subdomain, requestId), relayState: requestId);
        using var second = await AcsTestSite.PostAsync(_site.Browser(subdomain), Answering(subdomain, requestId), json: true);

        AcsTestSite.AssertSeeOther(first, "/incidents?open=1");
        await AssertRefused(second, SamlErrorCodes.InResponseToUnexpected);
    }

    [Test]
    public async Task Consume_AnsweringUnknownRequest_IsRefused()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);

        using var response = await AcsTestSite.PostAsync(_site.Browser(subdomain), Answering(subdomain, "_never-issued"), json: true);

        await AssertRefused(response, SamlErrorCodes.InResponseToUnexpected);
    }

    [Test]
    public async Task Consume_AnsweringExpiredRequest_IsRefused()
    {
        var subdomain = NewSubdomain();
        var tenant = await _site.CreateTenantAsync(subdomain);
        var requestId = await StartSignInAsync(subdomain, "/");
        await using (var connection = await _site.Db.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("UPDATE authn_requests SET expires_at = @past WHERE tenant_id = @tenant",
                new { tenant, past = Saml.TestIdp.TestResponseBuilder.Now.AddSeconds(-1) });
        }

        using var response = await AcsTestSite.PostAsync(_site.Browser(subdomain), Answering(subdomain, requestId), json: true);

        await AssertRefused(response, SamlErrorCodes.InResponseToUnexpected);
    }

    [Test]
    public async Task Consume_AnsweringAnotherTenantsRequest_IsRefused()
    {
        var acme = NewSubdomain();
        var globex = NewSubdomain();
        await _site.CreateTenantAsync(acme);
        await _site.CreateTenantAsync(globex);
        var globexRequest = await StartSignInAsync(globex, "/");

        using var response = await AcsTestSite.PostAsync(_site.Browser(acme), Answering(acme, globexRequest), json: true);

        await AssertRefused(response, SamlErrorCodes.InResponseToUnexpected);
    }

    [Test]
    public async Task Consume_UnsolicitedWhenIdpInitiatedIsOff_IsRefusedWithItsOwnCode()
    {
        var subdomain = NewSubdomain();
        var tenant = await _site.CreateTenantAsync(subdomain);
        await using (var connection = await _site.Db.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("UPDATE tenants SET allow_idp_initiated = false WHERE id = @tenant", new { tenant });
        }

        using var unsolicited = await AcsTestSite.PostAsync(_site.Browser(subdomain), AcsTestSite.ResponseFor(subdomain).BuildBase64(), json: true);
        var requestId = await StartSignInAsync(subdomain, "/");
        using var solicited = await AcsTestSite.PostAsync(_site.Browser(subdomain), Answering(subdomain, requestId));

        await AssertRefused(unsolicited, LoginErrorCodes.IdpInitiatedNotAllowed);
        AcsTestSite.AssertSeeOther(solicited, "/");
    }

    [TestCase("//evil.example/")]
    [TestCase("https://evil.example/")]
    [TestCase("/\\evil.example")]
    public async Task Login_WithReturnToOffTheSite_ReturnsToTheLandingPage(string returnTo)
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);
        var requestId = await StartSignInAsync(subdomain, returnTo);

        using var response = await AcsTestSite.PostAsync(_site.Browser(subdomain), Answering(subdomain, requestId));

        AcsTestSite.AssertSeeOther(response, "/");
    }

    private async Task<string> StartSignInAsync(string subdomain, string returnTo)
    {
        using var response = await _site.Browser(subdomain).GetAsync(
            new Uri("/sso/saml/login?returnTo=" + Uri.EscapeDataString(returnTo), UriKind.Relative));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        return HttpUtility.ParseQueryString(response.Headers.Location!.Query)["RelayState"]!;
    }

    private static string Answering(string subdomain, string requestId)
    {
        var builder = AcsTestSite.ResponseFor(subdomain);
        builder.ResponseInResponseTo = requestId;
        builder.ConfirmationInResponseTo = requestId;
        return builder.BuildBase64();
    }

    private static async Task AssertRefused(HttpResponseMessage response, string errorCode)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), body);
        Assert.That(body, Does.Contain($"\"errorCode\":\"{errorCode}\""));
    }
}
