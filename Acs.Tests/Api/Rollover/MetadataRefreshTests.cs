using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Acs.Core.Rollover;
using Acs.Core.Telemetry;
using Acs.Testing.Certificates;
using Acs.Testing.TestIdp;
using Acs.Tests.Reliability;
using Acs.Tests.TestInfrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Acs.Tests.Api.Rollover;

/// <summary>
/// A tenant's SSO from its IdP's metadata URL, served by an in-test HTTPS server: fetched on save, refreshed, and
/// reconciled (new certificates at once, old ones after a grace period, entity ID changes held), and fetched safely.
/// </summary>
public sealed class MetadataRefreshTests
{
    private const string HeldChangeLog = "names another entity ID";

    private readonly CapturingLoggerProvider _logs = new(HeldChangeLog);
    private MetadataServer _server = null!;
    private AcsApiFactory _factory = null!;
    private AcsApiFactory _strict = null!;
    private HttpClient _admin = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _server = await MetadataServer.StartAsync();
        var connectionString = await PostgresServer.CreateDatabaseAsync("rollover");
        _factory = new AcsApiFactory(connectionString, _server.ServiceSettings())
        {
            ConfigureServices = services => services.AddSingleton<ILoggerProvider>(_logs),
        };
        _admin = _factory.CreateAdminClient();
        // The same service without the test-only loopback exception: what production does with an inside address.
        _strict = new AcsApiFactory(connectionString, _server.ServiceSettings(allowLoopback: false));
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _admin.Dispose();
        await _factory.DisposeAsync();
        await _strict.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Test]
    public async Task PutSso_WithMetadataUrl_TakesEntityIdSsoUrlAndCertificatesFromTheFetchedMetadata()
    {
        var (subdomain, path) = await NewTenantAsync();
        var entra = Guid.NewGuid();
        var a = TestCertificates.CreateValid("A");
        var b = TestCertificates.CreateValid("B");
        _server.ServeXml(path, EntraMetadata.Build(entra, a, b));

        var sso = await ConfigureAsync(subdomain, path);

        Assert.That(sso.GetProperty("idpEntityId").GetString(), Is.EqualTo($"https://sts.windows.net/{entra}/"));
        Assert.That(sso.GetProperty("ssoTargetUrl").GetString(), Is.EqualTo($"https://login.microsoftonline.com/{entra}/saml2"));
        Assert.That(Thumbprints(sso), Is.EquivalentTo(new[] { TestCertificates.Sha256(a), TestCertificates.Sha256(b) }));
        var metadata = sso.GetProperty("metadata");
        Assert.That(metadata.GetProperty("url").GetString(), Is.EqualTo(_server.Url(path)));
        Assert.That(metadata.GetProperty("lastSuccessAt").GetDateTimeOffset(), Is.EqualTo(_factory.Clock.GetUtcNow()));
        var next = metadata.GetProperty("nextRefreshAt").GetDateTimeOffset() - _factory.Clock.GetUtcNow();
        Assert.That(next, Is.InRange(TimeSpan.FromHours(5.4), TimeSpan.FromHours(6)), "every 6 hours, less up to a tenth of jitter");
        var events = await AuditEventsAsync(subdomain);
        Assert.That(events.Select(e => (e.GetProperty("actor").GetString(), e.GetProperty("action").GetString())),
            Is.SupersetOf(new[] { ("admin_api", "sso_configured"), ("admin_api", "metadata_url_set") }));
    }

    [Test]
    public async Task Refresh_WithNewCertificateInMetadata_TrustsItAtOnceBesideTheOld()
    {
        var (subdomain, path) = await NewTenantAsync();
        var entra = Guid.NewGuid();
        var current = TestCertificates.CreateValid("Current");
        var next = TestCertificates.CreateValid("Next");
        _server.ServeXml(path, EntraMetadata.Build(entra, current));
        await ConfigureAsync(subdomain, path);

        _server.ServeXml(path, EntraMetadata.Build(entra, current, next));
        var sso = await RefreshAsync(subdomain);

        Assert.That(Thumbprints(sso), Is.EquivalentTo(new[] { TestCertificates.Sha256(current), TestCertificates.Sha256(next) }));
        var added = (await AuditEventsAsync(subdomain)).First(e => e.GetProperty("action").GetString() == "certificate_added");
        Assert.That(added.GetProperty("actor").GetString(), Is.EqualTo("metadata_refresh"));
        Assert.That(added.GetProperty("subject").GetString(), Is.EqualTo(TestCertificates.Sha256(next)));
    }

    [Test]
    public async Task Refresh_WithCertificateGoneFromMetadata_KeepsItForTheGracePeriodThenRemovesIt()
    {
        var (subdomain, path) = await NewTenantAsync();
        var entra = Guid.NewGuid();
        var old = TestCertificates.CreateValid("Old");
        var current = TestCertificates.CreateValid("Current");
        _server.ServeXml(path, EntraMetadata.Build(entra, old, current));
        await ConfigureAsync(subdomain, path);
        _server.ServeXml(path, EntraMetadata.Build(entra, current));

        var left = await RefreshAsync(subdomain);
        var leftAt = _factory.Clock.GetUtcNow();
        _factory.Clock.Advance(TimeSpan.FromDays(6));
        var withinGrace = await RefreshAsync(subdomain);
        _factory.Clock.Advance(TimeSpan.FromDays(1));
        var afterGrace = await RefreshAsync(subdomain);

        Assert.That(Thumbprints(left), Is.EquivalentTo(new[] { TestCertificates.Sha256(old), TestCertificates.Sha256(current) }));
        var oldView = left.GetProperty("certificates").EnumerateArray().Single(c => c.GetProperty("thumbprintSha256").GetString() == TestCertificates.Sha256(old));
        Assert.That(oldView.GetProperty("leftMetadataAt").GetDateTimeOffset(), Is.EqualTo(leftAt));
        Assert.That(oldView.GetProperty("removedAfter").GetDateTimeOffset(), Is.EqualTo(leftAt.AddDays(7)));
        Assert.That(Thumbprints(withinGrace), Has.Member(TestCertificates.Sha256(old)), "still trusted within the 7 days");
        Assert.That(Thumbprints(afterGrace), Is.EqualTo(new[] { TestCertificates.Sha256(current) }));
        var actions = (await AuditEventsAsync(subdomain)).Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.That(actions, Does.Contain("certificate_left_metadata").And.Contain("certificate_removed"));
    }

    [Test]
    public async Task Refresh_WithNewEntityId_HoldsTheChangeUntilAnAdministratorAppliesIt()
    {
        var (subdomain, path) = await NewTenantAsync();
        var (before, after) = (Guid.NewGuid(), Guid.NewGuid());
        var current = TestCertificates.CreateValid("Current");
        var other = TestCertificates.CreateValid("Other IdP");
        _server.ServeXml(path, EntraMetadata.Build(before, current));
        await ConfigureAsync(subdomain, path);

        _server.ServeXml(path, EntraMetadata.Build(after, other));
        var held = await RefreshAsync(subdomain);

        Assert.That(held.GetProperty("idpEntityId").GetString(), Is.EqualTo($"https://sts.windows.net/{before}/"), "not applied silently");
        Assert.That(held.GetProperty("ssoTargetUrl").GetString(), Is.EqualTo($"https://login.microsoftonline.com/{before}/saml2"));
        Assert.That(Thumbprints(held), Is.EqualTo(new[] { TestCertificates.Sha256(current) }), "another entity's certificate is not trusted yet");
        var pending = held.GetProperty("metadata").GetProperty("pendingChange");
        Assert.That(pending.GetProperty("idpEntityId").GetString(), Is.EqualTo($"https://sts.windows.net/{after}/"));
        Assert.That(pending.GetProperty("dismissed").GetBoolean(), Is.False);
        Assert.That(_logs.Leaks, Has.Some.Contains(subdomain).And.Contains(HeldChangeLog), "a warning line names the tenant");

        using var apply = await _admin.PostAsync($"/admin/tenants/{subdomain}/sso/pending-change/apply", null);

        Assert.That(apply.StatusCode, Is.EqualTo(HttpStatusCode.OK), await apply.Content.ReadAsStringAsync());
        var applied = (await ReadJsonAsync(apply)).GetProperty("sso");
        Assert.That(applied.GetProperty("idpEntityId").GetString(), Is.EqualTo($"https://sts.windows.net/{after}/"));
        Assert.That(Thumbprints(applied), Has.Member(TestCertificates.Sha256(other)));
        Assert.That(applied.GetProperty("metadata").GetProperty("pendingChange").ValueKind, Is.EqualTo(JsonValueKind.Null));
        var actions = (await AuditEventsAsync(subdomain)).Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.That(actions, Does.Contain("idp_change_pending").And.Contain("idp_change_applied"));
    }

    [Test]
    public async Task DismissPendingChange_KeepsTheTrustedEntityIdAndTheSameChangeIsNotRaisedAgain()
    {
        var (subdomain, path) = await NewTenantAsync();
        var (before, after) = (Guid.NewGuid(), Guid.NewGuid());
        var current = TestCertificates.CreateValid("Current");
        _server.ServeXml(path, EntraMetadata.Build(before, current));
        await ConfigureAsync(subdomain, path);
        _server.ServeXml(path, EntraMetadata.Build(after, current));
        await RefreshAsync(subdomain);

        using var dismiss = await _admin.PostAsync($"/admin/tenants/{subdomain}/sso/pending-change/dismiss", null);
        var again = await RefreshAsync(subdomain);
        using var applyDismissed = await _admin.PostAsync($"/admin/tenants/{subdomain}/sso/pending-change/apply", null);

        Assert.That(dismiss.StatusCode, Is.EqualTo(HttpStatusCode.OK), await dismiss.Content.ReadAsStringAsync());
        Assert.That(again.GetProperty("idpEntityId").GetString(), Is.EqualTo($"https://sts.windows.net/{before}/"));
        Assert.That(again.GetProperty("metadata").GetProperty("pendingChange").GetProperty("dismissed").GetBoolean(), Is.True);
        var actions = (await AuditEventsAsync(subdomain)).Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.That(actions.Count(a => a == "idp_change_pending"), Is.EqualTo(1));
        Assert.That(actions, Does.Contain("idp_change_dismissed"));
        await AssertProblemAsync(applyDismissed, HttpStatusCode.Conflict, "no_pending_change");
    }

    [Test]
    public async Task PutSso_WithHttpMetadataUrl_IsRefused()
    {
        var (subdomain, path) = await NewTenantAsync();

        using var response = await _admin.PutAsJsonAsync($"/admin/tenants/{subdomain}/sso", new { metadataUrl = $"http://localhost:{_server.Port}{path}" });

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.That(problem.GetProperty("errorCodes").GetProperty("metadataUrl")[0].GetString(), Is.EqualTo("metadata_url_invalid"));
        Assert.That(_server.Hits(path), Is.Zero);
    }

    [Test]
    public async Task PutSso_WithMetadataUrlAndACertificate_IsRefused()
    {
        var (subdomain, path) = await NewTenantAsync();

        using var response = await _admin.PutAsJsonAsync($"/admin/tenants/{subdomain}/sso",
            new { metadataUrl = _server.Url(path), certificate = TestCertificates.CreateValid().ExportCertificatePem() });

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.That(problem.GetProperty("errorCodes").GetProperty("certificate")[0].GetString(), Is.EqualTo("sso_field_with_metadata_url"));
    }

    [TestCase("https://evil.example.net/federationmetadata.xml")]
    [TestCase("https://169.254.169.254/latest/meta-data/")]
    public async Task PutSso_WithHostNotAllowListed_IsRefusedWithoutAFetch(string url)
    {
        var (subdomain, _) = await NewTenantAsync();

        using var response = await _admin.PutAsJsonAsync($"/admin/tenants/{subdomain}/sso", new { metadataUrl = url });

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.That(problem.GetProperty("errorCodes").GetProperty("metadataUrl")[0].GetString(), Is.EqualTo("metadata_url_host_not_allowed"));
    }

    [Test]
    public async Task PutSso_WhereTheAllowListedNameResolvesToLoopback_IsRefusedOnTheConnectedAddress()
    {
        var (subdomain, path) = await NewTenantAsync();
        _server.ServeXml(path, EntraMetadata.Build(Guid.NewGuid(), TestCertificates.CreateValid()));
        using var strictAdmin = _strict.CreateAdminClient();

        using var response = await strictAdmin.PutAsJsonAsync($"/admin/tenants/{subdomain}/sso", new { metadataUrl = _server.Url(path) });

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.That(problem.GetProperty("errorCodes").GetProperty("metadataUrl")[0].GetString(), Is.EqualTo(MetadataFetchErrorCodes.AddressRefused));
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("internal address"));
        Assert.That(_server.Hits(path), Is.Zero, "no request reached the server");
    }

    [Test]
    public async Task Fetch_RedirectToAnAllowListedHost_IsFollowed()
    {
        var (subdomain, path) = await NewTenantAsync();
        var target = path + "-moved";
        _server.ServeXml(target, EntraMetadata.Build(Guid.NewGuid(), TestCertificates.CreateValid()));
        _server.Respond(path, context =>
        {
            context.Response.Redirect(_server.Url(target));
            return Task.CompletedTask;
        });

        await ConfigureAsync(subdomain, path);

        Assert.That(_server.Hits(target), Is.EqualTo(1));
    }

    [Test]
    public async Task Refresh_RedirectToAHostNotAllowListed_IsRefusedAndTheCertificatesAreKept()
    {
        var (subdomain, path) = await NewTenantAsync();
        var current = TestCertificates.CreateValid("Current");
        _server.ServeXml(path, EntraMetadata.Build(Guid.NewGuid(), current));
        await ConfigureAsync(subdomain, path);
        _server.Respond(path, context =>
        {
            context.Response.Redirect("https://evil.example.net/metadata.xml");
            return Task.CompletedTask;
        });

        var sso = await RefreshAsync(subdomain);

        Assert.That(sso.GetProperty("metadata").GetProperty("lastErrorCode").GetString(), Is.EqualTo(MetadataFetchErrorCodes.RedirectRefused));
        Assert.That(Thumbprints(sso), Is.EqualTo(new[] { TestCertificates.Sha256(current) }));
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task Fetch_BodyOverTheSizeCap_IsRefused(bool withContentLength)
    {
        var (subdomain, path) = await NewTenantAsync();
        _server.Respond(path, async context =>
        {
            var chunk = new byte[10_000];
            if (withContentLength)
            {
                context.Response.ContentLength = chunk.Length * 15;
            }

            for (var i = 0; i < 15; i++)
            {
                await context.Response.Body.WriteAsync(chunk);
                await context.Response.Body.FlushAsync();
            }
        });

        using var response = await _admin.PutAsJsonAsync($"/admin/tenants/{subdomain}/sso", new { metadataUrl = _server.Url(path) });

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.That(problem.GetProperty("errorCodes").GetProperty("metadataUrl")[0].GetString(), Is.EqualTo(MetadataFetchErrorCodes.TooLarge));
    }

    [Test]
    public async Task Fetch_ServerThatDoesNotAnswer_TimesOut()
    {
        var (subdomain, path) = await NewTenantAsync();
        _server.Respond(path, context => Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted));
        var watch = Stopwatch.StartNew();

        using var response = await _admin.PutAsJsonAsync($"/admin/tenants/{subdomain}/sso", new { metadataUrl = _server.Url(path) });

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.That(problem.GetProperty("errorCodes").GetProperty("metadataUrl")[0].GetString(), Is.EqualTo(MetadataFetchErrorCodes.Timeout));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "the 2 s test timeout, not the server's 30 s");
    }

    [Test]
    public async Task Fetch_ServerFailingTwiceThenAnswering_SucceedsThroughRetries()
    {
        var (subdomain, path) = await NewTenantAsync();
        var xml = EntraMetadata.Build(Guid.NewGuid(), TestCertificates.CreateValid());
        var calls = 0;
        _server.Respond(path, async context =>
        {
            if (Interlocked.Increment(ref calls) <= 2)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            }

            await context.Response.WriteAsync(xml);
        });

        await ConfigureAsync(subdomain, path);

        Assert.That(_server.Hits(path), Is.EqualTo(3));
    }

    [Test]
    public async Task Refresh_Server500_IsRetriedThenTheFailureIsRecordedAndTheCertificatesAreKept()
    {
        var (subdomain, path) = await NewTenantAsync();
        var current = TestCertificates.CreateValid("Current");
        _server.ServeXml(path, EntraMetadata.Build(Guid.NewGuid(), current));
        await ConfigureAsync(subdomain, path);
        var savedAt = _factory.Clock.GetUtcNow();
        _server.Respond(path, context =>
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return Task.CompletedTask;
        });
        var hitsBefore = _server.Hits(path);
        using var failures = new RefreshCounter("failed");
        _factory.Clock.Advance(TimeSpan.FromMinutes(1));

        var sso = await RefreshAsync(subdomain);

        Assert.That(_server.Hits(path) - hitsBefore, Is.EqualTo(1 + 3), "the first try and three retries");
        var metadata = sso.GetProperty("metadata");
        Assert.That(metadata.GetProperty("lastErrorCode").GetString(), Is.EqualTo(MetadataFetchErrorCodes.HttpStatus));
        Assert.That(metadata.GetProperty("lastErrorMessage").GetString(), Does.Contain("500"));
        Assert.That(metadata.GetProperty("lastAttemptAt").GetDateTimeOffset(), Is.EqualTo(_factory.Clock.GetUtcNow()));
        Assert.That(metadata.GetProperty("lastSuccessAt").GetDateTimeOffset(), Is.EqualTo(savedAt));
        Assert.That(Thumbprints(sso), Is.EqualTo(new[] { TestCertificates.Sha256(current) }));
        Assert.That(failures.Count(MetadataFetchErrorCodes.HttpStatus), Is.GreaterThanOrEqualTo(1), "acs.idp_metadata.refreshes{outcome=failed}");
    }

    [Test]
    public async Task GetMetadata_WithoutMetadataUrl_Is409()
    {
        var (subdomain, _) = await NewTenantAsync();

        using var response = await _admin.GetAsync($"/admin/tenants/{subdomain}/sso/metadata");

        await AssertProblemAsync(response, HttpStatusCode.Conflict, RolloverAdministration.NoMetadataUrl);
    }

    [Test]
    public async Task AuditEvents_OfAnUnknownTenant_Is404()
    {
        using var response = await _admin.GetAsync("/admin/tenants/nosuchtenant0/audit-events");

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "tenant_not_found");
    }

    private async Task<(string Subdomain, string Path)> NewTenantAsync()
    {
        var subdomain = "r" + Guid.NewGuid().ToString("N")[..10];
        using var response = await _admin.PostAsJsonAsync("/admin/tenants", new { subdomain, displayName = $"Company {subdomain}" });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (subdomain, $"/{subdomain}/federationmetadata/2007-06/federationmetadata.xml");
    }

    private async Task<JsonElement> ConfigureAsync(string subdomain, string path)
    {
        using var response = await _admin.PutAsJsonAsync($"/admin/tenants/{subdomain}/sso", new { metadataUrl = _server.Url(path) });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (await ReadJsonAsync(response)).GetProperty("sso");
    }

    private async Task<JsonElement> RefreshAsync(string subdomain)
    {
        using var response = await _admin.PostAsync($"/admin/tenants/{subdomain}/sso/metadata/refresh", null);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (await ReadJsonAsync(response)).GetProperty("sso");
    }

    private async Task<List<JsonElement>> AuditEventsAsync(string subdomain)
    {
        using var response = await _admin.GetAsync($"/admin/tenants/{subdomain}/audit-events?limit=200");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (await ReadJsonAsync(response)).GetProperty("items").EnumerateArray().ToList();
    }

    private static List<string?> Thumbprints(JsonElement sso) =>
        sso.GetProperty("certificates").EnumerateArray().Select(c => c.GetProperty("thumbprintSha256").GetString()).ToList();

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), text);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), text);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.That(problem.GetProperty("code").GetString(), Is.EqualTo(code), text);
        return problem;
    }

    /// <summary>Counts the refresh metric's measurements with one outcome, by error.type.</summary>
    private sealed class RefreshCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly System.Collections.Concurrent.ConcurrentQueue<string?> _errors = new();

        public RefreshCounter(string outcome)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == AcsMetrics.MeterName && instrument.Name == "acs.idp_metadata.refreshes")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
            {
                string? seenOutcome = null, error = null;
                foreach (var tag in tags)
                {
                    if (tag.Key == TelemetryAttributes.Outcome)
                    {
                        seenOutcome = tag.Value as string;
                    }
                    else if (tag.Key == TelemetryAttributes.ErrorType)
                    {
                        error = tag.Value as string;
                    }
                }

                if (seenOutcome == outcome)
                {
                    _errors.Enqueue(error);
                }
            });
            _listener.Start();
        }

        public int Count(string errorType) => _errors.Count(e => e == errorType);

        public void Dispose() => _listener.Dispose();
    }
}
