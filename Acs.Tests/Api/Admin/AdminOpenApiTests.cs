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
