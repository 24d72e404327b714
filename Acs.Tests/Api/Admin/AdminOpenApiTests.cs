using System.Net;
using System.Text.Json;

namespace Acs.Tests.Api.Admin;

public sealed class AdminOpenApiTests : AdminApiTests
{
    protected override string Purpose => "adminopenapi";

    [Test]
    public async Task OpenApiDocument_DescribesEveryAdminRouteAndTheBearerScheme()
    {
        using var client = Factory.CreateClient();

        using var response = await client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var paths = document.GetProperty("paths");
        var expected = new Dictionary<string, string[]>
        {
            ["/admin/tenants"] = ["get", "post"],
            ["/admin/tenants/{subdomain}"] = ["get", "delete"],
            ["/admin/tenants/{subdomain}/sso"] = ["put"],
            ["/admin/tenants/{subdomain}/sso/metadata"] = ["post"],
            ["/admin/tenants/{subdomain}/sso/certificates"] = ["post"],
            ["/admin/tenants/{subdomain}/sso/certificates/{thumbprintSha256}"] = ["delete"],
            ["/admin/tenants/{subdomain}/members"] = ["get", "post"],
            ["/admin/tenants/{subdomain}/members/{id}"] = ["get", "patch", "delete"],
            ["/admin/tenants/{subdomain}/login-events"] = ["get"],
            ["/admin/tenants/{subdomain}/setup-links"] = ["get", "post"],
            ["/admin/tenants/{subdomain}/setup-links/{id}"] = ["delete"],
        };
        foreach (var (path, methods) in expected)
        {
            Assert.That(paths.TryGetProperty(path, out var item), Is.True, $"missing {path}");
            foreach (var method in methods)
            {
                Assert.That(item.TryGetProperty(method, out _), Is.True, $"missing {method} {path}");
            }
        }

        Assert.That(paths.EnumerateObject().Select(p => p.Name), Has.All.StartsWith("/admin/"), "only the admin API is in the document");
        var sso = paths.GetProperty("/admin/tenants/{subdomain}/sso").GetProperty("put");
        Assert.That(sso.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _), Is.True);
        Assert.That(document.GetProperty("components").GetProperty("securitySchemes").GetProperty("AdminApiKey").GetProperty("scheme").GetString(),
            Is.EqualTo("bearer"));
    }

    [Test]
    public async Task OpenApiDocument_DescribesTheLoginEventsDiagnosis()
    {
        using var client = Factory.CreateClient();

        using var response = await client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));

        var schemas = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("components").GetProperty("schemas");
        Assert.That(schemas.GetProperty("LoginEventResponse").GetProperty("properties").TryGetProperty("diagnosis", out _), Is.True);
        var diagnosis = schemas.GetProperty("DiagnosisResponse").GetProperty("properties");
        Assert.That(diagnosis.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "cause", "fix", "advice" }));
    }
}

public sealed class AdminOpenApiRequestSchemaTests : AdminApiTests
{
    protected override string Purpose => "adminopenapischema";

    [TestCase("post", "/admin/tenants", new[] { "subdomain", "displayName" })]
    // Either the metadata URL or the three fields it stands for: none is required on its own.
    [TestCase("put", "/admin/tenants/{subdomain}/sso", new string[0])]
    [TestCase("post", "/admin/tenants/{subdomain}/sso/certificates", new[] { "certificate" })]
    [TestCase("post", "/admin/tenants/{subdomain}/members", new[] { "email", "role" })]
    [TestCase("patch", "/admin/tenants/{subdomain}/sso/encryption-keys/{id}", new[] { "status" })]
    [TestCase("patch", "/admin/tenants/{subdomain}/members/{id}", new string[0])]
    public async Task RequestBody_RequiresExactlyTheRequiredFields_AndTheyAreNotNullable(string method, string path, string[] required)
    {
        var schema = await RequestSchemaAsync(method, path);

        var listed = schema.TryGetProperty("required", out var list) ? list.EnumerateArray().Select(e => e.GetString()).ToList() : [];
        Assert.That(listed, Is.EquivalentTo(required));
        foreach (var field in required)
        {
            var type = schema.GetProperty("properties").GetProperty(field).GetProperty("type");
            Assert.That(type.ValueKind, Is.EqualTo(JsonValueKind.String), $"{field} must not admit null (type is {type})");
            Assert.That(type.GetString(), Is.EqualTo("string"));
        }
    }

    [Test]
    public async Task OptionalRequestFields_MayStillBeNull()
    {
        var schema = await RequestSchemaAsync("post", "/admin/tenants/{subdomain}/members");

        var type = schema.GetProperty("properties").GetProperty("firstName").GetProperty("type");
        Assert.That(type.EnumerateArray().Select(e => e.GetString()), Is.EquivalentTo(new[] { "null", "string" }));
    }

    private async Task<JsonElement> RequestSchemaAsync(string method, string path)
    {
        using var client = Factory.CreateClient();
        var document = JsonDocument.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative))).RootElement;
        return document.GetProperty("paths").GetProperty(path).GetProperty(method)
            .GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
    }
}

public sealed class AdminApiReferencePageTests : AdminApiTests
{
    protected override string Purpose => "adminscalar";

    [Test]
    public async Task ReferencePage_InDevelopment_IsServed()
    {
        await using var development = Factory.WithWebHostBuilder(b => Microsoft.AspNetCore.Hosting.HostingAbstractionsWebHostBuilderExtensions.UseEnvironment(b, "Development"));
        using var client = development.CreateClient();

        using var response = await client.GetAsync(new Uri("/scalar/", UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
    }

    [Test]
    public async Task ReferencePage_OutsideDevelopment_IsNotServed()
    {
        using var client = Factory.CreateClient();

        using var response = await client.GetAsync(new Uri("/scalar/", UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }
}
