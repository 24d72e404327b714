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

        Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(html, Does.Contain("not a company site").And.Contain(AcsApiFactory.BaseDomainTemplate));
        Assert.That(html, Does.Not.Contain("demo"), "no demo link while the development IdP is off");
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

            Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound));
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
