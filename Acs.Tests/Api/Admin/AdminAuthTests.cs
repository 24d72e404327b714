using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Acs.Tests.TestInfrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Acs.Tests.Api.Admin;

public sealed class AdminAuthTests : AdminApiTests
{
    protected override string Purpose => "adminauth";

    [Test]
    public async Task ListTenants_WithoutKey_Is401ProblemWithBearerChallenge()
    {
        using var client = Factory.CreateClient();

        using var response = await client.GetAsync(new Uri("/admin/tenants", UriKind.Relative));

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "admin_key_missing");
        Assert.That(response.Headers.WwwAuthenticate.Select(h => h.Scheme), Is.EqualTo(new[] { "Bearer" }));
    }

    [Test]
    public async Task ListTenants_WithWrongKey_Is401()
    {
        using var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AcsApiFactory.AdminApiKey + "x");

        using var response = await client.GetAsync(new Uri("/admin/tenants", UriKind.Relative));

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "admin_key_invalid");
    }

    [Test]
    public async Task ListTenants_WithKeyUnderAnotherScheme_Is401()
    {
        using var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", AcsApiFactory.AdminApiKey);

        using var response = await client.GetAsync(new Uri("/admin/tenants", UriKind.Relative));

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "admin_key_missing");
    }

    [Test]
    public async Task ListTenants_WithTheKey_Is200()
    {
        using var response = await Admin.GetAsync(new Uri("/admin/tenants", UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task CreateTenant_WithoutKeyAndMalformedBody_Is401NotValidationError()
    {
        using var client = Factory.CreateClient();

        using var response = await client.PostAsync(new Uri("/admin/tenants", UriKind.Relative), RawJson("{not json", "text/plain"));

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "admin_key_missing");
    }

    [Test]
    public async Task Routes_WithoutKey_AreAll401()
    {
        using var client = Factory.CreateClient();
        var id = Guid.NewGuid();
        var requests = new (HttpMethod Method, string Path)[]
        {
            (HttpMethod.Post, "/admin/tenants"),
            (HttpMethod.Get, "/admin/tenants/acme"),
            (HttpMethod.Delete, "/admin/tenants/acme"),
            (HttpMethod.Put, "/admin/tenants/acme/sso"),
            (HttpMethod.Post, "/admin/tenants/acme/sso/metadata"),
            (HttpMethod.Post, "/admin/tenants/acme/sso/certificates"),
            (HttpMethod.Delete, "/admin/tenants/acme/sso/certificates/abc"),
            (HttpMethod.Get, "/admin/tenants/acme/members"),
            (HttpMethod.Post, "/admin/tenants/acme/members"),
            (HttpMethod.Get, $"/admin/tenants/acme/members/{id}"),
            (HttpMethod.Patch, $"/admin/tenants/acme/members/{id}"),
            (HttpMethod.Delete, $"/admin/tenants/acme/members/{id}"),
            (HttpMethod.Get, "/admin/tenants/acme/login-events"),
            (HttpMethod.Post, "/admin/tenants/acme/setup-links"),
            (HttpMethod.Get, "/admin/tenants/acme/setup-links"),
            (HttpMethod.Delete, $"/admin/tenants/acme/setup-links/{id}"),
        };

        foreach (var (method, path) in requests)
        {
            using var request = new HttpRequestMessage(method, path) { Content = method == HttpMethod.Get || method == HttpMethod.Delete ? null : RawJson("{}") };
            using var response = await client.SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), $"{method} {path}");
        }
    }

    [Test]
    public async Task WrongKey_IsLoggedAsWarningWithoutTheKey()
    {
        var logs = new CapturingLoggerProvider();
        await using var factory = Factory.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(logs)));
        using var client = factory.CreateClient();
        const string presented = "not-the-key-but-a-secret-nonetheless";
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", presented);

        using var response = await client.PostAsJsonAsync("/admin/tenants", new { subdomain = "acme", displayName = "Acme" });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        var refusals = logs.Entries.Where(e => e.Message.Contains("Admin API request refused", StringComparison.Ordinal)).ToList();
        Assert.That(refusals, Has.Count.EqualTo(1));
        Assert.That(refusals[0].Level, Is.EqualTo(LogLevel.Warning));
        Assert.That(refusals[0].Message, Does.Contain("admin_key_invalid").And.Contain("/admin/tenants"));
        Assert.That(logs.Entries.Select(e => e.Message), Has.None.Contains(presented));
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<(LogLevel Level, string Message)> _entries = new();

        public IReadOnlyList<(LogLevel Level, string Message)> Entries => _entries.ToList();

        public ILogger CreateLogger(string categoryName) => new Logger(_entries);

        public void Dispose()
        {
        }

        private sealed class Logger(System.Collections.Concurrent.ConcurrentQueue<(LogLevel, string)> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                entries.Enqueue((logLevel, formatter(state, exception)));
        }
    }
}
