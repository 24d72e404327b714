using System.Net;
using System.Xml;
using Acs.Tests.TestInfrastructure;

namespace Acs.Tests.Api.Hosting;

public sealed class HttpHardeningTests
{
    private AcsTestSite _site = null!;

    [OneTimeSetUp]
    public async Task Start() => _site = await AcsTestSite.StartAsync("hardening");

    [OneTimeTearDown]
    public async Task Stop() => await _site.DisposeAsync();

    [Test]
    public async Task HtmlPages_CarrySecurityHeaders()
    {
        await _site.CreateTenantAsync("hardened");

        using var response = await _site.Browser("hardened").GetAsync(new Uri("/", UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.That(csp, Does.Contain("default-src 'none'").And.Contain("frame-ancestors 'none'"));
        Assert.That(response.Headers.GetValues("X-Content-Type-Options").Single(), Is.EqualTo("nosniff"));
        Assert.That(response.Headers.GetValues("Referrer-Policy").Single(), Is.EqualTo("no-referrer"));
        Assert.That(response.Headers.GetValues("Strict-Transport-Security").Single(), Does.StartWith("max-age="));
    }

    [Test]
    public async Task PlainHttpSite_GetsNoHsts()
    {
        await _site.CreateTenantAsync("plainhttp");
        using var client = _site.Factory.CreateClient(new() { BaseAddress = new Uri("http://plainhttp.acs.localhost") });

        using var response = await client.GetAsync(new Uri("/", UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Headers.Contains("Strict-Transport-Security"), Is.False);
    }

    [Test]
    public async Task SpoofedForwardedHost_FromAnUnconfiguredProxy_DoesNotSelectAnotherTenant()
    {
        await _site.CreateTenantAsync("victim");
        await _site.CreateTenantAsync("caller");
        using var client = _site.Browser("caller");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/sso/saml/metadata");
        request.Headers.Add("X-Forwarded-Host", "victim.statuspage.io");

        using var response = await client.SendAsync(request);

        var metadata = new XmlDocument();
        metadata.LoadXml(await response.Content.ReadAsStringAsync());
        Assert.That(metadata.DocumentElement!.GetAttribute("entityID"), Is.EqualTo("https://caller.statuspage.io/"));
    }
}
