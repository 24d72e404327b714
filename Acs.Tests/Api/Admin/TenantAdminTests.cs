using System.Net;
using System.Net.Http.Json;
using Acs.Testing.Certificates;
using Dapper;

namespace Acs.Tests.Api.Admin;

public sealed class TenantAdminTests : AdminApiTests
{
    protected override string Purpose => "admintenants";

    [Test]
    public async Task CreateTenant_WithGoodBody_Is201WithLocationAndTheTenant()
    {
        var subdomain = NewSubdomain();

        using var response = await Admin.PostAsJsonAsync("/admin/tenants", new { subdomain, displayName = "Acme Inc." });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"/admin/tenants/{subdomain}"));
        var tenant = await ReadJsonAsync(response);
        Assert.That(tenant.GetProperty("subdomain").GetString(), Is.EqualTo(subdomain));
        Assert.That(tenant.GetProperty("displayName").GetString(), Is.EqualTo("Acme Inc."));
        Assert.That(tenant.GetProperty("spEntityId").GetString(), Is.EqualTo($"https://{subdomain}.statuspage.io/"));
        Assert.That(tenant.GetProperty("acsUrl").GetString(), Is.EqualTo($"https://{subdomain}.statuspage.io/sso/saml/consume"));
        Assert.That(tenant.GetProperty("metadataUrl").GetString(), Is.EqualTo($"https://{subdomain}.statuspage.io/sso/saml/metadata"));
        Assert.That(tenant.GetProperty("sso").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null));
    }

    [Test]
    public async Task GetTenant_AfterCreate_ShowsOneUrlSetPerPublicUrlTemplate()
    {
        var subdomain = await CreateTenantAsync();

        using var response = await Admin.GetAsync(new Uri($"/admin/tenants/{subdomain}", UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var sets = (await ReadJsonAsync(response)).GetProperty("publicUrls").EnumerateArray().ToList();
        Assert.That(sets.Select(s => s.GetProperty("spEntityId").GetString()),
            Is.EqualTo(new[] { $"https://{subdomain}.statuspage.io/", $"http://{subdomain}.acs.localhost/" }));
        Assert.That(sets[1].GetProperty("acsUrl").GetString(), Is.EqualTo($"http://{subdomain}.acs.localhost/sso/saml/consume"));
        Assert.That(sets[1].GetProperty("metadataUrl").GetString(), Is.EqualTo($"http://{subdomain}.acs.localhost/sso/saml/metadata"));
    }

    [Test]
    public async Task GetTenant_Unknown_Is404Problem()
    {
        using var response = await Admin.GetAsync(new Uri("/admin/tenants/nobody-here", UriKind.Relative));

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "tenant_not_found");
    }

    [Test]
    public async Task CreateTenant_Duplicate_Is409()
    {
        var subdomain = await CreateTenantAsync();

        using var response = await Admin.PostAsJsonAsync("/admin/tenants", new { subdomain, displayName = "Again" });

        await AssertProblemAsync(response, HttpStatusCode.Conflict, "tenant_exists");
    }

    [Test]
    public async Task CreateTenant_TwiceAtTheSameInstant_GivesOne201AndOne409()
    {
        var subdomain = NewSubdomain();

        var responses = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ =>
            Admin.PostAsJsonAsync("/admin/tenants", new { subdomain, displayName = "Race" })));

        Assert.That(responses.Select(r => r.StatusCode), Is.EquivalentTo(new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [TestCase("www")]
    [TestCase("api")]
    [TestCase("admin")]
    [TestCase("app")]
    [TestCase("mail")]
    [TestCase("status")]
    public async Task CreateTenant_WithReservedSubdomain_Is400WithSubdomainError(string subdomain)
    {
        using var response = await Admin.PostAsJsonAsync("/admin/tenants", new { subdomain, displayName = "Sneaky" });

        var messages = await AssertValidationErrorAsync(response, "subdomain");
        Assert.That(messages[0], Does.Contain("reserved"));
    }

    [TestCase("Acme")]
    [TestCase("-acme")]
    [TestCase("acme-")]
    [TestCase("ac_me")]
    [TestCase("acme.io")]
    [TestCase("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")] // 64 characters
    public async Task CreateTenant_WithMalformedSubdomain_Is400WithSubdomainError(string subdomain)
    {
        using var response = await Admin.PostAsJsonAsync("/admin/tenants", new { subdomain, displayName = "Acme" });

        var messages = await AssertValidationErrorAsync(response, "subdomain");
        Assert.That(messages[0], Does.Contain("lower-case letters"));
    }

    [Test]
    public async Task CreateTenant_WithSixtyThreeCharacterSubdomainAndSingleCharacter_AreAccepted()
    {
        await CreateTenantAsync(new string('b', 63));
        await CreateTenantAsync("7");
    }

    [Test]
    public async Task CreateTenant_WithoutSubdomainOrDisplayName_NamesBothFields()
    {
        using var response = await Admin.PostAsJsonAsync("/admin/tenants", new { displayName = "  " });

        await AssertValidationErrorAsync(response, "subdomain");
        await AssertValidationErrorAsync(response, "displayName");
    }

    [Test]
    public async Task CreateTenant_WithTooLongDisplayName_Is400()
    {
        using var response = await Admin.PostAsJsonAsync("/admin/tenants", new { subdomain = NewSubdomain(), displayName = new string('x', 201) });

        await AssertValidationErrorAsync(response, "displayName");
    }

    [Test]
    public async Task CreateTenant_WithMalformedJson_Is400Problem()
    {
        using var response = await Admin.PostAsync(new Uri("/admin/tenants", UriKind.Relative), RawJson("{\"subdomain\": \"acme\""));

        await AssertValidationErrorAsync(response, "body");
    }

    [Test]
    public async Task CreateTenant_WithWrongJsonType_Is400NamingTheField()
    {
        using var response = await Admin.PostAsync(new Uri("/admin/tenants", UriKind.Relative), RawJson("{\"subdomain\": 42, \"displayName\": \"Acme\"}"));

        await AssertValidationErrorAsync(response, "subdomain");
    }

    [Test]
    public async Task CreateTenant_WithWrongContentType_Is400Problem()
    {
        using var response = await Admin.PostAsync(new Uri("/admin/tenants", UriKind.Relative),
            RawJson("{\"subdomain\": \"acme\", \"displayName\": \"Acme\"}", "text/plain"));

        var messages = await AssertValidationErrorAsync(response, "body");
        Assert.That(messages[0], Does.Contain("application/json"));
    }

    [Test]
    public async Task CreateTenant_WithEmptyBody_Is400Problem()
    {
        using var response = await Admin.PostAsync(new Uri("/admin/tenants", UriKind.Relative), RawJson(""));

        await AssertValidationErrorAsync(response, "body");
    }

    [Test]
    public async Task ListTenants_PagesBySubdomain()
    {
        var prefix = "list" + Guid.NewGuid().ToString("N")[..6];
        foreach (var suffix in new[] { "c", "a", "b" })
        {
            await CreateTenantAsync(prefix + suffix);
        }

        using var all = await Admin.GetAsync(new Uri("/admin/tenants?limit=200", UriKind.Relative));
        var page = await ReadJsonAsync(all);
        var subdomains = page.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("subdomain").GetString()!).ToList();
        Assert.That(subdomains, Is.Ordered);
        var offset = subdomains.IndexOf(prefix + "a");

        using var response = await Admin.GetAsync(new Uri($"/admin/tenants?offset={offset + 1}&limit=2", UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var second = await ReadJsonAsync(response);
        Assert.That(second.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("subdomain").GetString()),
            Is.EqualTo(new[] { prefix + "b", prefix + "c" }));
        Assert.That(second.GetProperty("total").GetInt64(), Is.EqualTo(subdomains.Count));
        Assert.That(second.GetProperty("limit").GetInt32(), Is.EqualTo(2));
    }

    [TestCase("limit=0", "limit")]
    [TestCase("limit=201", "limit")]
    [TestCase("limit=abc", "limit")]
    [TestCase("offset=-1", "offset")]
    public async Task ListTenants_WithBadPaging_Is400NamingTheParameter(string query, string field)
    {
        using var response = await Admin.GetAsync(new Uri($"/admin/tenants?{query}", UriKind.Relative));

        await AssertValidationErrorAsync(response, field);
    }

    [Test]
    public async Task DeleteTenant_RemovesTheTenantAndEverythingItOwns()
    {
        var subdomain = await CreateTenantAsync();
        await ConfigureSsoAsync(subdomain, TestCertificates.CreateValid());
        using (var member = await Admin.PostAsJsonAsync($"/admin/tenants/{subdomain}/members",
                   new { email = "britta@acme.com", firstName = "Britta", lastName = "B", role = "team_member" }))
        {
            Assert.That(member.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        }

        using var response = await Admin.DeleteAsync(new Uri($"/admin/tenants/{subdomain}", UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        using var read = await Admin.GetAsync(new Uri($"/admin/tenants/{subdomain}", UriKind.Relative));
        Assert.That(read.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        await using var connection = await Database.OpenConnectionAsync();
        var leftovers = await connection.ExecuteScalarAsync<long>("""
            SELECT (SELECT count(*) FROM tenants WHERE subdomain = @subdomain)
                 + (SELECT count(*) FROM members WHERE email = 'britta@acme.com')
                 + (SELECT count(*) FROM idp_configs i WHERE NOT EXISTS (SELECT 1 FROM tenants t WHERE t.id = i.tenant_id))
            """, new { subdomain });
        Assert.That(leftovers, Is.Zero);
    }

    [Test]
    public async Task DeleteTenant_Unknown_Is404()
    {
        using var response = await Admin.DeleteAsync(new Uri("/admin/tenants/nobody-here", UriKind.Relative));

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "tenant_not_found");
    }
}
