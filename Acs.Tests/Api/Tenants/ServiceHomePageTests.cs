using System.Net;
using Acs.Tests.TestInfrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Acs.Tests.Api.Tenants;

/// <summary>The service's own address (bare localhost) is no company site: a newcomer is told where the sites are.</summary>
public sealed class ServiceHomePageTests
{
    [Test]
    public async Task BareHost_InABrowser_SaysItIsNoCompanySiteAndWhereTheSitesAre()
    {
        await using var factory = new AcsApiFactory(await PostgresServer.CreateDatabaseAsync("home"));

        var (status, html) = await GetPageAsync(factory, "http://localhost/");

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), "the service's own home is a page, not a missing site");
        Assert.That(html, Does.Contain("not a company site").And.Contain(AcsApiFactory.BaseDomainTemplate));
        Assert.That(html, Does.Not.Contain("demo"), "no demo link while the development IdP is off");
        Assert.That(html, Does.Not.Contain("Site not found"));
    }

    [TestCase("http://localhost/")]
    [TestCase("http://localhost:8080/")]
    [TestCase("http://127.0.0.1/")]
    [TestCase("http://127.0.0.1:5000/")]
    [TestCase("http://[::1]/")]
    [TestCase("http://acs.localhost/")]
    [TestCase("https://statuspage.io/")]
    public async Task HostWithNoCompanyInIt_IsTheServicesOwnPage(string url)
    {
        await using var factory = new AcsApiFactory(await PostgresServer.CreateDatabaseAsync("homehosts"));

        var (status, html) = await GetPageAsync(factory, url);

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(html, Does.Contain("not a company site").And.Not.Contain("Site not found"));
    }

    [Test]
    public async Task BareHost_UnknownPath_IsA404ServicePageWithALinkHome()
    {
        await using var factory = new AcsApiFactory(await PostgresServer.CreateDatabaseAsync("homepath"));

        var (status, html) = await GetPageAsync(factory, "http://localhost/incidents");

        Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(html, Does.Contain("There is no page at /incidents").And.Contain("not a company site"));
        Assert.That(html, Does.Contain("href=\"/\""));
    }

    [Test]
    public async Task BareHost_WithTheDevelopmentIdp_LinksToTheDemoSite()
    {
        var keyFolder = Directory.CreateTempSubdirectory("acs-home-").FullName;
        try
        {
            await using var factory = new AcsApiFactory(await PostgresServer.CreateDatabaseAsync("homedemo"), new Dictionary<string, string?>
            {
                ["Acs:DevelopmentIdp:Enabled"] = "true",
                ["Acs:DevelopmentIdp:KeyFile"] = Path.Combine(keyFolder, "key.pem"),
            });

            var (status, html) = await GetPageAsync(factory, "http://localhost/");

            Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(html, Does.Contain("href=\"https://demo.statuspage.io/\""));
        }
        finally
        {
            Directory.Delete(keyFolder, recursive: true);
        }
    }

    [Test]
    public async Task UnknownSubdomain_StillSaysSiteNotFound()
    {
        await using var factory = new AcsApiFactory(await PostgresServer.CreateDatabaseAsync("homeunknown"));

        var (status, html) = await GetPageAsync(factory, "https://nosuchcompany.statuspage.io/");

        Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(html, Does.Contain("Site not found"));
        Assert.That(html, Does.Contain("href=\"https://statuspage.io/\""), "a way on: the service's home");
    }

    private static async Task<(HttpStatusCode Status, string Html)> GetPageAsync(AcsApiFactory factory, string url)
    {
        var address = new Uri(url);
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = address, AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, address);
        request.Headers.Accept.ParseAdd("text/html");
        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
