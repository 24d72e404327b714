using System.Net;
using System.Text.RegularExpressions;
using Acs.Core.Certificates;
using Acs.Testing.Certificates;
using Acs.Testing.Tenants;
using Acs.Testing.TestIdp;
using Acs.Tests.TestInfrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenTelemetry.Exporter;

namespace Acs.Tests.Api.Telemetry;

/// <summary>
/// <c>/metrics</c> through the real pipeline: Prometheus text on a host that is no tenant site, without any key; the
/// tenant's own 404 on a tenant host; the sign-in counter, the latency histograms and the certificate gauge.
/// </summary>
public sealed class MetricsEndpointTests
{
    private static readonly Uri Scrape = new("http://127.0.0.1/metrics");

    private AcsApiFactory _factory = null!;
    private NpgsqlDataSource _db = null!;
    private string _subdomain = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("metrics");
        _db = NpgsqlDataSource.Create(connectionString);
        // Certificates are counted on the first scrape: every tenant is written before it.
        _subdomain = "m" + Guid.NewGuid().ToString("N")[..12];
        await TenantSeeder.InsertAsync(_db, new SeedTenant(_subdomain).WithTestIdp());
        var now = TestResponseBuilder.Now;
        using var expiring = TestCertificates.Create("expiring", now.AddYears(-1), now.AddDays(10));
        using var expired = TestCertificates.Create("expired", now.AddYears(-1), now.AddDays(-1));
        await TenantSeeder.InsertAsync(_db, new SeedTenant("m" + Guid.NewGuid().ToString("N")[..12]).WithTestIdp() with
        {
            Certificates = [TestIdpKeys.Default.Trusted, TrustedCertificate.FromDer(expiring.RawData), TrustedCertificate.FromDer(expired.RawData)],
        });
        _factory = new AcsApiFactory(connectionString) { ConfigureServices = NoScrapeCache };
        _ = _factory.Server;
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _factory.DisposeAsync();
        await _db.DisposeAsync();
    }

    /// <summary>Every scrape collects afresh, so a scrape right after a sign-in sees it.</summary>
    internal static void NoScrapeCache(IServiceCollection services) =>
        services.Configure<PrometheusAspNetCoreOptions>(options => options.ScrapeResponseCacheDurationMilliseconds = 0);

    [Test]
    public async Task Metrics_AfterASuccessfulAndAFailedSignIn_CountThemByOutcomeAndCodeWithLatencyHistograms()
    {
        using var browser = _factory.CreateTenantClient(_subdomain);
        using var success = await AcsTestSite.PostAsync(browser, AcsTestSite.ResponseFor(_subdomain).BuildBase64());
        var wrongAudience = AcsTestSite.ResponseFor(_subdomain);
        wrongAudience.Audience = "https://someone-else.example/";
        using var failure = await AcsTestSite.PostAsync(browser, wrongAudience.BuildBase64());
        Assert.That(success.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        Assert.That(failure.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));

        using var client = _factory.CreateClient();
        using var response = await client.GetAsync(Scrape);
        var text = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/plain"));
        Assert.That(Series(text, "acs_sign_in_attempts_total"), Has.Some.Contains("acs_outcome=\"success\"").And.Not.Contains("error_type"));
        Assert.That(Series(text, "acs_sign_in_attempts_total"), Has.Some.Contains("acs_outcome=\"failure\"").And.Contains("error_type=\"audience_mismatch\""));
        Assert.That(Series(text, "acs_sign_in_duration_seconds_bucket"), Has.Some.Contains("acs_outcome=\"success\"").And.Contains("le=\"+Inf\""));
        Assert.That(Series(text, "acs_sign_in_duration_seconds_count"), Has.Some.Contains("error_type=\"audience_mismatch\""));
        Assert.That(Series(text, "acs_saml_validation_duration_seconds_bucket"), Has.Some.Contains("acs_outcome=\"invalid\""));
        Assert.That(Series(text, "acs_saml_validation_duration_seconds_bucket"), Has.Some.Contains("acs_outcome=\"valid\""));
        Assert.That(text, Does.Not.Contain(_subdomain), "no tenant is a metric attribute");
    }

    [Test]
    public async Task Metrics_ShowTheDatabasePoolSeries()
    {
        using var browser = _factory.CreateTenantClient(_subdomain);
        using var _ = await AcsTestSite.PostAsync(browser, AcsTestSite.ResponseFor(_subdomain).BuildBase64());

        using var client = _factory.CreateClient();
        var text = await client.GetStringAsync(Scrape);

        Assert.That(Series(text, "db_client_operation_duration_seconds_count"), Is.Not.Empty);
        Assert.That(Series(text, "db_client_connection_count"), Has.Some.Contains("db_client_connection_state=\"idle\""));
        Assert.That(Series(text, "db_client_connection_max"), Is.Not.Empty);
    }

    [Test]
    public async Task Metrics_CountTrustedIdpCertificatesOfAllTenantsByExpiry()
    {
        using var client = _factory.CreateClient();
        var text = await client.GetStringAsync(Scrape);

        // Two tenants trust the test IdP (valid for years); one also an expiring and an expired certificate.
        Assert.That(Series(text, "acs_idp_certificates"), Has.One.Contains("acs_certificate_status=\"valid\"").And.EndsWith(" 2"));
        Assert.That(Series(text, "acs_idp_certificates"), Has.One.Contains("acs_certificate_status=\"expiring\"").And.EndsWith(" 1"));
        Assert.That(Series(text, "acs_idp_certificates"), Has.One.Contains("acs_certificate_status=\"expired\"").And.EndsWith(" 1"));
    }

    [Test]
    public async Task Metrics_OnATenantHost_IsTheTenantSitesNotFoundPage()
    {
        using var browser = _factory.CreateTenantClient(_subdomain);
        using var response = await browser.GetAsync(new Uri("/metrics", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(body, Does.Not.Contain("acs_sign_in").And.Not.Contain("# TYPE"));
    }

    [Test]
    public async Task Metrics_OnTheDevelopmentTenantTemplateHost_AreNotServedEither()
    {
        using var browser = _factory.CreateTenantClient("unknown-tenant", https: false);
        using var response = await browser.GetAsync(new Uri("/metrics", UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Not.Contain("# TYPE"));
    }

    [Test]
    public async Task Metrics_WithMetricsPortConfigured_AreNotServedOnTheMainPort()
    {
        await using var factory = new AcsApiFactory(_factory.ConnectionString, new Dictionary<string, string?>
        {
            ["Acs:Metrics:Port"] = ServiceProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        })
        { ConfigureServices = NoScrapeCache };
        using var client = factory.CreateClient();

        using var response = await client.GetAsync(Scrape);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Not.Contain("# TYPE"));
    }

    [Test]
    public async Task Metrics_AfterARateLimitRefusal_CountTheRejectionByDoor()
    {
        await using var factory = new AcsApiFactory(_factory.ConnectionString, new Dictionary<string, string?>
        {
            ["Acs:RateLimiting:Enabled"] = "true",
            ["Acs:RateLimiting:ConsumePerAddressPerMinute"] = "1",
        })
        { ConfigureServices = NoScrapeCache };
        using var browser = factory.CreateTenantClient(_subdomain);
        using var first = await AcsTestSite.PostAsync(browser, AcsTestSite.ResponseFor(_subdomain).BuildBase64());
        using var second = await AcsTestSite.PostAsync(browser, AcsTestSite.ResponseFor(_subdomain).BuildBase64());
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));

        using var client = factory.CreateClient();
        var text = await client.GetStringAsync(Scrape);

        Assert.That(Series(text, "acs_rate_limit_rejections_total"), Has.Some.Contains("acs_rate_limit_door=\"consume\""));
    }

    /// <summary>The sample lines of one metric (name, then labels or a space).</summary>
    internal static List<string> Series(string text, string name) =>
        text.Split('\n').Where(line => Regex.IsMatch(line, "^" + Regex.Escape(name) + "[{ ]")).ToList();
}
