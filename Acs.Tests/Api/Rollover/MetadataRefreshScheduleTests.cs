using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Acs.Api.Rollover;
using Acs.Core.Rollover;
using Acs.Testing.Certificates;
using Acs.Testing.TestIdp;
using Acs.Tests.TestInfrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Acs.Tests.Api.Rollover;

/// <summary>
/// The scheduled refresh: due tenants only, one replica at a time (two services over one database), and the hosted
/// service driven by the injected clock. Its own database, so that "due" means only this class's tenants.
/// </summary>
public sealed class MetadataRefreshScheduleTests
{
    private MetadataServer _server = null!;
    private AcsApiFactory _first = null!;
    private AcsApiFactory _second = null!;
    private HttpClient _admin = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _server = await MetadataServer.StartAsync();
        var connectionString = await PostgresServer.CreateDatabaseAsync("rolloverschedule");
        _first = new AcsApiFactory(connectionString, _server.ServiceSettings());
        _second = new AcsApiFactory(connectionString, _server.ServiceSettings());
        _admin = _first.CreateAdminClient();
        _ = _second.Server;
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _admin.Dispose();
        await _first.DisposeAsync();
        await _second.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Test]
    public async Task RefreshDue_TwoReplicasAtOnce_OnlyOneFetchesEachTenant()
    {
        var path = await ConfigureTenantAsync();
        var xml = EntraMetadata.Build(Guid.NewGuid(), TestCertificates.CreateValid());
        // Slow enough that the two rounds overlap.
        _server.Respond(path, async context =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(700));
            await context.Response.WriteAsync(xml);
        });
        var before = _server.Hits(path);
        _first.Clock.Advance(TimeSpan.FromHours(7));
        _second.Clock.Advance(TimeSpan.FromHours(7));

        var rounds = await Task.WhenAll(
            _first.Services.GetRequiredService<MetadataRefresher>().RefreshDueAsync(CancellationToken.None),
            _second.Services.GetRequiredService<MetadataRefresher>().RefreshDueAsync(CancellationToken.None));

        Assert.That(_server.Hits(path) - before, Is.EqualTo(1), "one replica did the work");
        Assert.That(rounds.SelectMany(r => r.Outcomes).Count(o => path.Contains(o.Subdomain, StringComparison.Ordinal)), Is.EqualTo(1));
        Assert.That(rounds.Count(r => !r.Skipped), Is.GreaterThanOrEqualTo(1));
    }

    [Test]
    public async Task RefreshDue_WhileAnotherReplicaHoldsTheLease_IsSkipped()
    {
        await ConfigureTenantAsync();
        _second.Clock.Advance(TimeSpan.FromHours(7));
        await using var lease = await _first.Services.GetRequiredService<IRolloverStore>().TryAcquireLeaseAsync(CancellationToken.None);

        var round = await _second.Services.GetRequiredService<MetadataRefresher>().RefreshDueAsync(CancellationToken.None);

        Assert.That(lease, Is.Not.Null);
        Assert.That(round.Skipped, Is.True);
        Assert.That(round.Outcomes, Is.Empty);
    }

    [Test]
    public async Task RefreshDue_BeforeTheIntervalHasPassed_FetchesNothing()
    {
        var path = await ConfigureTenantAsync();
        var before = _server.Hits(path);

        var round = await _first.Services.GetRequiredService<MetadataRefresher>().RefreshDueAsync(CancellationToken.None);

        Assert.That(round.Outcomes.Where(o => path.Contains(o.Subdomain, StringComparison.Ordinal)), Is.Empty);
        Assert.That(_server.Hits(path), Is.EqualTo(before));
    }

    [Test]
    public async Task HostedService_WhenTheClockPassesTheInterval_RefreshesByItself()
    {
        var path = await ConfigureTenantAsync();
        var settings = _server.ServiceSettings();
        settings["Acs:MetadataRefresh:Enabled"] = "true";
        await using var scheduled = new AcsApiFactory(_first.ConnectionString, settings);
        _ = scheduled.Server;
        var before = _server.Hits(path);

        // Past the tenant's 6 hours as the service that saved it counts them, plus one poll.
        scheduled.Clock.Advance(_first.Clock.GetUtcNow() + TimeSpan.FromHours(6) + MetadataRefreshService.PollInterval - scheduled.Clock.GetUtcNow());
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (_server.Hits(path) == before && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.That(_server.Hits(path), Is.EqualTo(before + 1));
    }

    [Test]
    public async Task ListCertificates_AcrossTenants_ListsExpiringAndExpiredByStatus()
    {
        var now = _first.Clock.GetUtcNow();
        using var expiring = TestCertificates.Create("Expiring soon", now.AddYears(-1), now.AddDays(10));
        using var expired = TestCertificates.Create("Expired", now.AddYears(-1), now.AddDays(-2));
        var subdomain = "c" + Guid.NewGuid().ToString("N")[..10];
        await CreateTenantAsync(subdomain);
        using (var put = await _admin.PutAsJsonAsync($"/admin/tenants/{subdomain}/sso", new
        {
            ssoTargetUrl = "https://login.microsoftonline.com/t/saml2",
            idpEntityId = "https://sts.windows.net/t/",
            certificate = expiring.ExportCertificatePem(),
        }))
        {
            Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK), await put.Content.ReadAsStringAsync());
        }

        using (var add = await _admin.PostAsJsonAsync($"/admin/tenants/{subdomain}/sso/certificates", new { certificate = expired.ExportCertificatePem() }))
        {
            Assert.That(add.StatusCode, Is.EqualTo(HttpStatusCode.Created), await add.Content.ReadAsStringAsync());
        }

        var expiringList = await ListAsync("?status=expiring", subdomain);
        var expiredList = await ListAsync("?status=expired", subdomain);
        var both = await ListAsync("", subdomain);

        Assert.That(expiringList.Select(c => (c.GetProperty("thumbprintSha256").GetString(), c.GetProperty("status").GetString())),
            Is.EqualTo(new[] { (TestCertificates.Sha256(expiring), "expiring") }));
        Assert.That(expiredList.Select(c => (c.GetProperty("thumbprintSha256").GetString(), c.GetProperty("status").GetString())),
            Is.EqualTo(new[] { (TestCertificates.Sha256(expired), "expired") }));
        Assert.That(both, Has.Count.EqualTo(2));
        Assert.That(expiringList[0].GetProperty("expiresInDays").GetInt32(), Is.EqualTo(10));
    }

    [Test]
    public async Task ExpiryWarning_OneLinePerTenantWithAnExpiringCertificate()
    {
        var now = _first.Clock.GetUtcNow();
        using var expiring = TestCertificates.Create("Expiring in a week", now.AddYears(-1), now.AddDays(7));
        using var later = TestCertificates.Create("Expiring in a week too", now.AddYears(-1), now.AddDays(8));
        var subdomain = "w" + Guid.NewGuid().ToString("N")[..10];
        await CreateTenantAsync(subdomain);
        using (var put = await _admin.PutAsJsonAsync($"/admin/tenants/{subdomain}/sso", new
        {
            ssoTargetUrl = "https://login.microsoftonline.com/t/saml2",
            idpEntityId = "https://sts.windows.net/t/",
            certificate = expiring.ExportCertificatePem(),
        }))
        {
            Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        using (var add = await _admin.PostAsJsonAsync($"/admin/tenants/{subdomain}/sso/certificates", new { certificate = later.ExportCertificatePem() }))
        {
            Assert.That(add.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        }

        var capture = new Acs.Tests.Reliability.CapturingLoggerProvider(subdomain);
        using var logging = LoggerFactory.Create(b => b.AddProvider(capture));
        var service = new CertificateExpiryWarningService(_first.Services.GetRequiredService<Acs.Core.Telemetry.ICertificateInventory>(),
            _first.Services.GetRequiredService<CertificateExpiryOptions>(), _first.Clock,
            new Logger<CertificateExpiryWarningService>(logging));

        await service.WarnAsync(CancellationToken.None);

        Assert.That(capture.Leaks, Has.Count.EqualTo(1), "one line for the tenant, not one per certificate");
        Assert.That(capture.Leaks.Single(), Does.StartWith("Warning").And.Contain("0 expired and 2 expiring").And.Contain(TestCertificates.Sha256(expiring)));
    }

    [TestCase("valid")]
    [TestCase("soon")]
    public async Task ListCertificates_WithAnUnknownStatus_Is400(string status)
    {
        using var response = await _admin.GetAsync($"/admin/certificates?status={status}");

        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), text);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(JsonDocument.Parse(text).RootElement.GetProperty("code").GetString(), Is.EqualTo(RolloverAdministration.StatusInvalid));
    }

    private async Task<List<JsonElement>> ListAsync(string query, string subdomain)
    {
        using var response = await _admin.GetAsync($"/admin/certificates{query}{(query.Length == 0 ? "?" : "&")}limit=200");
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return JsonDocument.Parse(text).RootElement.GetProperty("items").EnumerateArray()
            .Where(c => c.GetProperty("subdomain").GetString() == subdomain).Select(c => c.Clone()).ToList();
    }

    private async Task CreateTenantAsync(string subdomain)
    {
        using var response = await _admin.PostAsJsonAsync("/admin/tenants", new { subdomain, displayName = $"Company {subdomain}" });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
    }

    private async Task<string> ConfigureTenantAsync()
    {
        var subdomain = "s" + Guid.NewGuid().ToString("N")[..10];
        await CreateTenantAsync(subdomain);
        var path = $"/{subdomain}/metadata.xml";
        _server.ServeXml(path, EntraMetadata.Build(Guid.NewGuid(), TestCertificates.CreateValid()));
        using var response = await _admin.PutAsJsonAsync($"/admin/tenants/{subdomain}/sso", new { metadataUrl = _server.Url(path) });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return path;
    }
}
