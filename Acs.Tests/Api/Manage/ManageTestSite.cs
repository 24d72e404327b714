using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Acs.Core.Members;
using Acs.Tests.TestInfrastructure;

namespace Acs.Tests.Api.Manage;

/// <summary>Ways into the administration pages for the tests: a setup link, or an SSO session of a given role.</summary>
internal static class ManageTestSite
{
    /// <summary>Creates a setup link for the tenant through the admin API and returns its token.</summary>
    public static async Task<(Guid Id, string Token)> CreateSetupLinkAsync(AcsTestSite site, string subdomain)
    {
        using var admin = site.Factory.CreateAdminClient();
        using var response = await admin.PostAsync(new Uri($"/admin/tenants/{subdomain}/setup-links", UriKind.Relative), null);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return (body.GetProperty("id").GetGuid(), body.GetProperty("url").GetString()!.Split('/')[^1]);
    }

    /// <summary>A browser of the tenant's site that opened a fresh setup link of the tenant.</summary>
    public static async Task<HttpClient> SetupBrowserAsync(AcsTestSite site, string subdomain)
    {
        var (_, token) = await CreateSetupLinkAsync(site, subdomain);
        var browser = site.Browser(subdomain);
        using var opened = await browser.GetAsync(new Uri("/manage/setup/" + token, UriKind.Relative));
        AcsTestSite.AssertSeeOther(opened, "/manage/sso");
        return browser;
    }

    /// <summary>A browser signed in by SSO as a member of the given role (created beforehand, linked by e-mail).</summary>
    public static async Task<HttpClient> MemberBrowserAsync(AcsTestSite site, Guid tenantId, string subdomain, string role, string email)
    {
        await site.CreateMemberAsync(tenantId, email, role);
        var browser = site.Browser(subdomain);
        using var response = await AcsTestSite.PostAsync(browser, AcsTestSite.ResponseFor(subdomain, email: email, objectId: Guid.NewGuid().ToString()).BuildBase64());
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), await response.Content.ReadAsStringAsync());
        return browser;
    }

    public static Task<HttpClient> AdministratorBrowserAsync(AcsTestSite site, Guid tenantId, string subdomain) =>
        MemberBrowserAsync(site, tenantId, subdomain, MemberRoles.ClientAdministrator, $"admin@{subdomain}.test");

    public static async Task<(HttpStatusCode Status, string Html)> GetAsync(HttpClient browser, string path)
    {
        using var response = await browser.GetAsync(new Uri(path, UriKind.Relative));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public static Task<HttpResponseMessage> PostJsonAsync(HttpClient admin, string path, object body) => admin.PostAsJsonAsync(path, body);
}
