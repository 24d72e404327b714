using System.Net;
using Acs.Core.Members;
using Acs.Tests.TestInfrastructure;
using Dapper;

namespace Acs.Tests.Api.Manage;

/// <summary>Who gets into /manage: a live setup link of this tenant or its Client Administrators, nobody else.</summary>
public sealed class ManageAccessTests
{
    private AcsTestSite _site = null!;

    [OneTimeSetUp]
    public async Task Start() => _site = await AcsTestSite.StartAsync("manageaccess");

    [OneTimeTearDown]
    public async Task Stop() => await _site.DisposeAsync();

    private static string NewSubdomain() => "m" + Guid.NewGuid().ToString("N")[..10];

    [Test]
    public async Task SetupLink_Valid_OpensASetupSessionCookie_AndThePagesSayUntilWhen()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain, withSso: false);
        var (_, token) = await ManageTestSite.CreateSetupLinkAsync(_site, subdomain);
        using var browser = _site.Browser(subdomain);

        using var opened = await browser.GetAsync(new Uri("/manage/setup/" + token, UriKind.Relative));

        AcsTestSite.AssertSeeOther(opened, "/manage/sso");
        var cookie = opened.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("__Host-acs_setup=", StringComparison.Ordinal));
        Assert.That(cookie, Does.Contain("secure").IgnoreCase.And.Contain("httponly").IgnoreCase.And.Contain("samesite=lax").IgnoreCase
            .And.Contain("path=/").And.Not.Contain("domain=").IgnoreCase);
        Assert.That(cookie, Does.Contain("max-age=14400"), "four hours, not days");
        var endsAt = _site.Factory.Clock.GetUtcNow().AddHours(4).UtcDateTime.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var path in new[] { "/manage/sso", "/manage/members", "/manage/sign-ins" })
        {
            var (status, html) = await ManageTestSite.GetAsync(browser, path);
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), path);
            Assert.That(html, Does.Contain($"Setup session, ends at <time datetime=\"").And.Contain($"{endsAt} UTC"), path);
        }
    }

    [Test]
    public async Task SetupLink_Expired_IsA410Page_AndOpensNothing()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain, withSso: false);
        var (id, token) = await ManageTestSite.CreateSetupLinkAsync(_site, subdomain);
        await using (var connection = await _site.Db.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("UPDATE setup_links SET expires_at = @at WHERE id = @id", new { id, at = _site.Factory.Clock.GetUtcNow() });
        }

        using var browser = _site.Browser(subdomain);
        using var opened = await browser.GetAsync(new Uri("/manage/setup/" + token, UriKind.Relative));

        Assert.That(opened.StatusCode, Is.EqualTo(HttpStatusCode.Gone));
        Assert.That(opened.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
        Assert.That(await opened.Content.ReadAsStringAsync(), Does.Contain("This setup link has expired"));
        Assert.That(opened.Headers.Contains("Set-Cookie") && opened.Headers.GetValues("Set-Cookie").Any(c => c.Contains("acs_setup", StringComparison.Ordinal)), Is.False);
    }

    [Test]
    public async Task SetupLink_Revoked_IsA410Page_AndEndsTheSessionsItOpened()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain, withSso: false);
        var (id, token) = await ManageTestSite.CreateSetupLinkAsync(_site, subdomain);
        using var browser = _site.Browser(subdomain);
        using (var opened = await browser.GetAsync(new Uri("/manage/setup/" + token, UriKind.Relative)))
        {
            AcsTestSite.AssertSeeOther(opened, "/manage/sso");
        }

        using (var admin = _site.Factory.CreateAdminClient())
        using (var revoke = await admin.DeleteAsync(new Uri($"/admin/tenants/{subdomain}/setup-links/{id}", UriKind.Relative)))
        {
            Assert.That(revoke.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        }

        var (status, _) = await ManageTestSite.GetAsync(browser, "/manage/sso");
        Assert.That(status, Is.EqualTo(HttpStatusCode.Unauthorized), "the session the link opened ends with it");
        using var again = await _site.Browser(subdomain).GetAsync(new Uri("/manage/setup/" + token, UriKind.Relative));
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Gone));
        Assert.That(await again.Content.ReadAsStringAsync(), Does.Contain("This setup link was revoked"));
    }

    [Test]
    public async Task SetupLink_OfAnotherTenant_IsA404Page_AndGivesNoAccessToEither()
    {
        var owner = NewSubdomain();
        var other = NewSubdomain();
        await _site.CreateTenantAsync(owner, withSso: false);
        await _site.CreateTenantAsync(other, withSso: false);
        var (_, token) = await ManageTestSite.CreateSetupLinkAsync(_site, owner);
        using var browser = _site.Browser(other);

        using var opened = await browser.GetAsync(new Uri("/manage/setup/" + token, UriKind.Relative));

        Assert.That(opened.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await opened.Content.ReadAsStringAsync(), Does.Contain("This setup link is for another site"));
        Assert.That((await ManageTestSite.GetAsync(browser, "/manage/sso")).Status, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task SetupLink_Unknown_IsA404Page()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain, withSso: false);

        var (status, html) = await ManageTestSite.GetAsync(_site.Browser(subdomain), "/manage/setup/" + new string('A', 43));

        Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(html, Does.Contain("Setup link not found"));
    }

    [Test]
    public async Task SetupSession_OfOneTenant_IsNoSessionOnAnother()
    {
        var owner = NewSubdomain();
        var other = NewSubdomain();
        await _site.CreateTenantAsync(owner, withSso: false);
        await _site.CreateTenantAsync(other, withSso: false);
        var (_, token) = await ManageTestSite.CreateSetupLinkAsync(_site, owner);
        using var opened = await _site.Browser(owner).GetAsync(new Uri("/manage/setup/" + token, UriKind.Relative));
        var cookie = opened.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("__Host-acs_setup=", StringComparison.Ordinal)).Split(';')[0];

        // The same cookie presented to the other company's site.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/manage/sso");
        request.Headers.Add("Cookie", cookie);
        using var response = await _site.Browser(other).SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task ClientAdministrator_SignedInBySso_GetsThePages()
    {
        var subdomain = NewSubdomain();
        var tenantId = await _site.CreateTenantAsync(subdomain);
        using var browser = await ManageTestSite.AdministratorBrowserAsync(_site, tenantId, subdomain);

        var (status, html) = await ManageTestSite.GetAsync(browser, "/manage/members");

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(html, Does.Contain($"Signed in as admin@{subdomain}.test (Client Administrator)"));
    }

    [Test]
    public async Task TeamMember_SignedInBySso_Gets403SayingWhoCanGrantAccess()
    {
        var subdomain = NewSubdomain();
        var tenantId = await _site.CreateTenantAsync(subdomain);
        using var browser = await ManageTestSite.MemberBrowserAsync(_site, tenantId, subdomain, MemberRoles.TeamMember, "jane@contoso.test");

        foreach (var path in new[] { "/manage/sso", "/manage/members", "/manage/sign-ins" })
        {
            var (status, html) = await ManageTestSite.GetAsync(browser, path);
            Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden), path);
            Assert.That(html, Does.Contain("Team Member").And.Contain("a Client Administrator of").And.Contain("setup link"), path);
        }
    }

    [Test]
    public async Task Anonymous_WithSsoConfigured_IsSentToSignInAndBack()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);

        using var response = await _site.Browser(subdomain).GetAsync(new Uri("/manage/members", UriKind.Relative));

        AcsTestSite.AssertSeeOther(response, "/sso/saml/login?returnTo=%2Fmanage%2Fmembers");
    }

    [Test]
    public async Task Anonymous_WithoutSso_GetsA401Page()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain, withSso: false);

        var (status, html) = await ManageTestSite.GetAsync(_site.Browser(subdomain), "/manage/sso");

        Assert.That(status, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(html, Does.Contain("Sign in to manage this site").And.Contain("setup link"));
    }

    [Test]
    public async Task Anonymous_Post_GetsA401Page_AndChangesNothing()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);

        using var response = await _site.Browser(subdomain).PostAsync(new Uri("/manage/members", UriKind.Relative),
            new FormUrlEncodedContent([new("email", "x@contoso.test"), new("role", MemberRoles.ClientAdministrator)]));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await _site.CountAsync("SELECT count(*) FROM members WHERE email = 'x@contoso.test'", new { }), Is.Zero);
    }

    [Test]
    public async Task ClientAdministratorOfOneTenant_IsAnonymousOnAnother_AndSeesOnlyItsOwnData()
    {
        var first = NewSubdomain();
        var second = NewSubdomain();
        var firstId = await _site.CreateTenantAsync(first);
        var secondId = await _site.CreateTenantAsync(second);
        await _site.CreateMemberAsync(secondId, "only-in-second@contoso.test");
        using var browser = await ManageTestSite.AdministratorBrowserAsync(_site, firstId, first);

        var (_, members) = await ManageTestSite.GetAsync(browser, "/manage/members");
        Assert.That(members, Does.Contain($"admin@{first}.test").And.Not.Contain("only-in-second@contoso.test"));

        // The first site's session cookie, sent to the second site's host, is no session there.
        await _site.CreateMemberAsync(firstId, "other-admin@contoso.test", MemberRoles.ClientAdministrator);
        using var signIn = await AcsTestSite.PostAsync(_site.Browser(first),
            AcsTestSite.ResponseFor(first, email: "other-admin@contoso.test", objectId: Guid.NewGuid().ToString()).BuildBase64());
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("__Host-acs_session=", StringComparison.Ordinal)).Split(';')[0];
        using var request = new HttpRequestMessage(HttpMethod.Get, "/manage/members");
        request.Headers.Add("Cookie", cookie);
        using var response = await _site.Browser(second).SendAsync(request);
        AcsTestSite.AssertSeeOther(response, "/sso/saml/login?returnTo=%2Fmanage%2Fmembers");
    }
}
