using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Dapper;

namespace Acs.Tests.Api.Admin;

public sealed class SetupLinkAdminTests : AdminApiTests
{
    protected override string Purpose => "adminsetuplinks";

    [Test]
    public async Task CreateSetupLink_Is201WithTheTenantSiteUrl_AndSevenDaysByDefault()
    {
        var subdomain = await CreateTenantAsync();

        using var response = await Admin.PostAsync(new Uri($"/admin/tenants/{subdomain}/setup-links", UriKind.Relative), null);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var link = await ReadJsonAsync(response);
        var id = link.GetProperty("id").GetGuid();
        Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"/admin/tenants/{subdomain}/setup-links/{id}"));
        Assert.That(link.GetProperty("url").GetString(), Does.Match($"^https://{subdomain}\\.statuspage\\.io/manage/setup/[A-Za-z0-9_-]{{43}}$"));
        Assert.That(link.GetProperty("expiresAt").GetDateTimeOffset(), Is.EqualTo(Factory.Clock.GetUtcNow().AddDays(7)));
    }

    [Test]
    public async Task CreateSetupLink_StoresOnlyTheTokensHash()
    {
        var subdomain = await CreateTenantAsync();
        using var response = await Admin.PostAsync(new Uri($"/admin/tenants/{subdomain}/setup-links", UriKind.Relative), null);
        var link = await ReadJsonAsync(response);
        var token = link.GetProperty("url").GetString()!.Split('/')[^1];

        await using var connection = await Database.OpenConnectionAsync();
        var stored = await connection.QuerySingleAsync<byte[]>("SELECT token_hash FROM setup_links WHERE id = @id",
            new { id = link.GetProperty("id").GetGuid() });
        Assert.That(stored, Is.EqualTo(SHA256.HashData(Encoding.ASCII.GetBytes(token))));
        var everything = await connection.QuerySingleAsync<string>("SELECT row_to_json(l)::text FROM setup_links l WHERE id = @id",
            new { id = link.GetProperty("id").GetGuid() });
        Assert.That(everything, Does.Not.Contain(token));
    }

    [Test]
    public async Task ListSetupLinks_ShowsStatus_AndRevokeMarksItRevoked()
    {
        var subdomain = await CreateTenantAsync();
        using var created = await Admin.PostAsync(new Uri($"/admin/tenants/{subdomain}/setup-links", UriKind.Relative), null);
        var id = (await ReadJsonAsync(created)).GetProperty("id").GetGuid();

        var before = await ReadJsonAsync(await Admin.GetAsync(new Uri($"/admin/tenants/{subdomain}/setup-links", UriKind.Relative)));
        Assert.That(before.GetArrayLength(), Is.EqualTo(1));
        Assert.That(before[0].GetProperty("status").GetString(), Is.EqualTo("active"));
        Assert.That(before[0].TryGetProperty("url", out _), Is.False, "the URL is shown once, at creation");

        using var revoke = await Admin.DeleteAsync(new Uri($"/admin/tenants/{subdomain}/setup-links/{id}", UriKind.Relative));
        Assert.That(revoke.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));

        var after = await ReadJsonAsync(await Admin.GetAsync(new Uri($"/admin/tenants/{subdomain}/setup-links", UriKind.Relative)));
        Assert.That(after[0].GetProperty("status").GetString(), Is.EqualTo("revoked"));
        Assert.That(after[0].GetProperty("revokedAt").GetDateTimeOffset(), Is.EqualTo(Factory.Clock.GetUtcNow()));
    }

    [Test]
    public async Task RevokeSetupLink_OfAnotherTenant_Is404AndLeavesItActive()
    {
        var owner = await CreateTenantAsync();
        var other = await CreateTenantAsync();
        using var created = await Admin.PostAsync(new Uri($"/admin/tenants/{owner}/setup-links", UriKind.Relative), null);
        var id = (await ReadJsonAsync(created)).GetProperty("id").GetGuid();

        using var revoke = await Admin.DeleteAsync(new Uri($"/admin/tenants/{other}/setup-links/{id}", UriKind.Relative));

        await AssertProblemAsync(revoke, HttpStatusCode.NotFound, "setup_link_not_found");
        var list = await ReadJsonAsync(await Admin.GetAsync(new Uri($"/admin/tenants/{owner}/setup-links", UriKind.Relative)));
        Assert.That(list[0].GetProperty("status").GetString(), Is.EqualTo("active"));
        var otherList = await ReadJsonAsync(await Admin.GetAsync(new Uri($"/admin/tenants/{other}/setup-links", UriKind.Relative)));
        Assert.That(otherList.GetArrayLength(), Is.Zero);
    }

    [Test]
    public async Task CreateSetupLink_ForUnknownTenant_Is404()
    {
        using var response = await Admin.PostAsync(new Uri("/admin/tenants/nosuchcompany/setup-links", UriKind.Relative), null);

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "tenant_not_found");
    }

    [Test]
    public async Task ListSetupLinks_AfterTheLifetime_ShowsExpired()
    {
        var subdomain = await CreateTenantAsync();
        using var created = await Admin.PostAsync(new Uri($"/admin/tenants/{subdomain}/setup-links", UriKind.Relative), null);
        var id = (await ReadJsonAsync(created)).GetProperty("id").GetGuid();
        await using (var connection = await Database.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("UPDATE setup_links SET expires_at = @at WHERE id = @id", new { id, at = Factory.Clock.GetUtcNow().AddSeconds(-1) });
        }

        var list = await ReadJsonAsync(await Admin.GetAsync(new Uri($"/admin/tenants/{subdomain}/setup-links", UriKind.Relative)));

        Assert.That(list[0].GetProperty("status").GetString(), Is.EqualTo("expired"));
    }
}
