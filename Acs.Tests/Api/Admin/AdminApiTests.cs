using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Acs.Tests.TestInfrastructure;
using Npgsql;

namespace Acs.Tests.Api.Admin;

/// <summary>One service over its own database per test class; tests use fresh subdomains so they do not meet.</summary>
public abstract class AdminApiTests
{
    protected AcsApiFactory Factory { get; private set; } = null!;

    protected HttpClient Admin { get; private set; } = null!;

    protected NpgsqlDataSource Database { get; private set; } = null!;

    protected abstract string Purpose { get; }

    [OneTimeSetUp]
    public async Task StartService()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync(Purpose);
        Factory = new AcsApiFactory(connectionString);
        Admin = Factory.CreateAdminClient();
        Database = NpgsqlDataSource.Create(connectionString);
    }

    [OneTimeTearDown]
    public async Task StopService()
    {
        Admin.Dispose();
        await Database.DisposeAsync();
        await Factory.DisposeAsync();
    }

    protected static string NewSubdomain() => "t" + Guid.NewGuid().ToString("N")[..10];

    protected async Task<string> CreateTenantAsync(string? subdomain = null)
    {
        subdomain ??= NewSubdomain();
        using var response = await Admin.PostAsJsonAsync("/admin/tenants", new { subdomain, displayName = $"Company {subdomain}" });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return subdomain;
    }

    protected async Task<JsonElement> ConfigureSsoAsync(string subdomain, X509Certificate2 certificate)
    {
        using var response = await Admin.PutAsJsonAsync($"/admin/tenants/{subdomain}/sso", new
        {
            ssoTargetUrl = "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/saml2",
            idpEntityId = "https://sts.windows.net/11111111-2222-3333-4444-555555555555/",
            certificate = certificate.ExportCertificatePem(),
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await ReadJsonAsync(response);
    }

    protected static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    /// <summary>Asserts a 400 validation problem naming <paramref name="field"/>, and returns its messages.</summary>
    protected static async Task<string[]> AssertValidationErrorAsync(HttpResponseMessage response, string field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), text);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors");
        Assert.That(errors.TryGetProperty(field, out var messages), Is.True, $"no error for '{field}' in {text}");
        var list = messages.EnumerateArray().Select(m => m.GetString()!).ToArray();
        Assert.That(list, Is.Not.Empty);
        Assert.That(list, Has.All.Length.GreaterThan(10), "each message is a sentence for a person");
        return list;
    }

    /// <summary>Asserts a problem-details answer with the status and the stable code.</summary>
    protected static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), text);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), text);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.That(problem.GetProperty("status").GetInt32(), Is.EqualTo((int)status));
        Assert.That(problem.GetProperty("code").GetString(), Is.EqualTo(code), text);
        return problem;
    }

    protected static StringContent RawJson(string json, string contentType = "application/json") => new(json, Encoding.UTF8, contentType);
}
