using System.Net;
using System.Text;
using System.Text.Json;

namespace Acs.Tests.Api.Admin;

/// <summary>A JSON body over the limit is 413 problem details, as the docs say; not a 400 validation error.</summary>
public sealed class AdminBodyLimitTests : AdminApiTests
{
    protected override string Purpose => "adminbodylimit";

    [TestCase("/admin/tenants", "POST")]
    [TestCase("/admin/tenants/{0}/sso", "PUT")]
    [TestCase("/admin/tenants/{0}/members", "POST")]
    [TestCase("/admin/tenants/{0}/sso/encryption-keys", "POST")]
    public async Task ThreeMegabyteBody_Is413ProblemDetails(string route, string method)
    {
        var subdomain = await CreateTenantAsync();
        var body = "{\"displayName\":\"" + new string('x', 3 * 1024 * 1024) + "\"}";
        using var request = new HttpRequestMessage(new HttpMethod(method), string.Format(System.Globalization.CultureInfo.InvariantCulture, route, subdomain))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };

        using var response = await Admin.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.That(problem.GetProperty("status").GetInt32(), Is.EqualTo(413));
        Assert.That(problem.GetProperty("code").GetString(), Is.EqualTo("body_too_large"));
    }
}
