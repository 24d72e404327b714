using System.Net;
using Acs.Testing.Tenants;
using Acs.Tests.TestInfrastructure;

namespace Acs.Tests.Api.Hosting;

/// <summary>Abuse limits answer 429 with Retry-After, per client address and per tenant, on the ACS and the admin API.</summary>
public sealed class RateLimitTests
{
    [Test]
    public async Task Consume_OverThePerAddressBudget_Is429WithRetryAfter()
    {
        await using var factory = await StartAsync(consumePerAddress: 5, consumePerTenant: 1000, adminPerAddress: 1000);
        using var client = factory.CreateTenantClient("acme");

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 6; i++)
        {
            last?.Dispose();
            last = await AcsTestSite.PostAsync(client, "eA==", json: true);
            statuses.Add(last.StatusCode);
        }

        Assert.That(statuses.Take(5), Is.All.Not.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(statuses[5], Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(last!.Headers.RetryAfter?.Delta, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1)));
        Assert.That(await last.Content.ReadAsStringAsync(), Does.Contain("\"errorCode\":\"rate_limited\""));
        last.Dispose();
    }

    [Test]
    public async Task Consume_OverThePerTenantBudget_LimitsThatTenantOnly()
    {
        await using var factory = await StartAsync(consumePerAddress: 1000, consumePerTenant: 3, adminPerAddress: 1000);
        using var acme = factory.CreateTenantClient("acme");
        using var globex = factory.CreateTenantClient("globex");

        for (var i = 0; i < 3; i++)
        {
            (await AcsTestSite.PostAsync(acme, "eA==")).Dispose();
        }

        using var acmeFourth = await AcsTestSite.PostAsync(acme, "eA==");
        using var globexFirst = await AcsTestSite.PostAsync(globex, "eA==");

        Assert.That(acmeFourth.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(globexFirst.StatusCode, Is.Not.EqualTo(HttpStatusCode.TooManyRequests));
    }

    [Test]
    public async Task Admin_OverThePerAddressBudget_Is429ButPagesAreNotLimited()
    {
        await using var factory = await StartAsync(consumePerAddress: 1000, consumePerTenant: 1000, adminPerAddress: 3);
        using var admin = factory.CreateAdminClient();
        using var pages = factory.CreateTenantClient("acme");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await admin.GetAsync(new Uri("/admin/tenants", UriKind.Relative));
            statuses.Add(response.StatusCode);
        }

        var landing = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            using var response = await pages.GetAsync(new Uri("/", UriKind.Relative));
            landing.Add(response.StatusCode);
        }

        Assert.That(statuses, Is.EqualTo(new[] { HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
        Assert.That(landing, Is.All.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task RateLimiting_WhenDisabled_NeverAnswers429()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("nolimit");
        await using var factory = new AcsApiFactory(connectionString, new Dictionary<string, string?>
        {
            ["Acs:RateLimiting:Enabled"] = "false",
            ["Acs:RateLimiting:ConsumePerAddressPerMinute"] = "1",
        });
        using var client = factory.CreateTenantClient("acme");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await AcsTestSite.PostAsync(client, "eA==");
            statuses.Add(response.StatusCode);
        }

        Assert.That(statuses, Is.All.Not.EqualTo(HttpStatusCode.TooManyRequests));
    }

    private static async Task<AcsApiFactory> StartAsync(int consumePerAddress, int consumePerTenant, int adminPerAddress)
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("ratelimit");
        var factory = new AcsApiFactory(connectionString, new Dictionary<string, string?>
        {
            ["Acs:RateLimiting:Enabled"] = "true",
            ["Acs:RateLimiting:ConsumePerAddressPerMinute"] = consumePerAddress.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Acs:RateLimiting:ConsumePerTenantPerMinute"] = consumePerTenant.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Acs:RateLimiting:AdminPerAddressPerMinute"] = adminPerAddress.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        await TenantSeeder.InsertAsync(connectionString, new SeedTenant("acme") { DisplayName = "Acme" });
        await TenantSeeder.InsertAsync(connectionString, new SeedTenant("globex") { DisplayName = "Globex" });

        return factory;
    }
}
