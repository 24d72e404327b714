using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;

namespace Acs.Tests.Api.Admin;

public sealed class MemberAdminTests : AdminApiTests
{
    protected override string Purpose => "adminmembers";

    [Test]
    public async Task CreateMember_WithGoodBody_Is201WithTheMember()
    {
        var subdomain = await CreateTenantAsync();

        using var response = await Admin.PostAsJsonAsync($"/admin/tenants/{subdomain}/members",
            new { email = "Britta.Berg@acme.com", firstName = "Britta", lastName = "Berg", role = "client_administrator" });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var member = await ReadJsonAsync(response);
        var id = member.GetProperty("id").GetGuid();
        Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"/admin/tenants/{subdomain}/members/{id}"));
        Assert.That(member.GetProperty("email").GetString(), Is.EqualTo("Britta.Berg@acme.com"));
        Assert.That(member.GetProperty("firstName").GetString(), Is.EqualTo("Britta"));
        Assert.That(member.GetProperty("lastName").GetString(), Is.EqualTo("Berg"));
        Assert.That(member.GetProperty("role").GetString(), Is.EqualTo("client_administrator"));
        Assert.That(member.GetProperty("status").GetString(), Is.EqualTo("active"));
        Assert.That(member.GetProperty("createdVia").GetString(), Is.EqualTo("admin"));
        Assert.That(member.GetProperty("idpSubject").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(member.GetProperty("createdAt").GetDateTimeOffset(), Is.EqualTo(Factory.Clock.GetUtcNow()));
        Assert.That(member.GetProperty("lastLoginAt").ValueKind, Is.EqualTo(JsonValueKind.Null));

        using var get = await Admin.GetAsync(new Uri($"/admin/tenants/{subdomain}/members/{id}", UriKind.Relative));
        Assert.That((await ReadJsonAsync(get)).GetProperty("email").GetString(), Is.EqualTo("Britta.Berg@acme.com"));
    }

    [Test]
    public async Task CreateMember_WithSameEmailInOtherCase_Is409()
    {
        var subdomain = await CreateTenantAsync();
        await CreateMemberAsync(subdomain, "britta@acme.com");

        using var response = await Admin.PostAsJsonAsync($"/admin/tenants/{subdomain}/members",
            new { email = "BRITTA@Acme.com", firstName = "B", lastName = "B", role = "team_member" });

        await AssertProblemAsync(response, HttpStatusCode.Conflict, "member_email_exists");
    }

    [Test]
    public async Task CreateMember_SameEmailInAnotherTenant_IsAllowed()
    {
        var first = await CreateTenantAsync();
        var second = await CreateTenantAsync();
        await CreateMemberAsync(first, "shared@acme.com");

        await CreateMemberAsync(second, "shared@acme.com");
    }

    [TestCase("not-an-email")]
    [TestCase("two@@acme.com")]
    [TestCase("britta@localhost")]
    [TestCase("brit ta@acme.com")]
    [TestCase("")]
    public async Task CreateMember_WithBadEmail_Is400OnEmail(string email)
    {
        var subdomain = await CreateTenantAsync();

        using var response = await Admin.PostAsJsonAsync($"/admin/tenants/{subdomain}/members", new { email, firstName = "B", lastName = "B", role = "team_member" });

        await AssertValidationErrorAsync(response, "email");
    }

    [TestCase("owner")]
    [TestCase(null)]
    public async Task CreateMember_WithBadRole_Is400OnRole(string? role)
    {
        var subdomain = await CreateTenantAsync();

        using var response = await Admin.PostAsJsonAsync($"/admin/tenants/{subdomain}/members", new { email = "x@acme.com", firstName = "B", lastName = "B", role });

        var messages = await AssertValidationErrorAsync(response, "role");
        Assert.That(messages[0], Does.Contain("client_administrator").And.Contain("team_member"));
    }

    [Test]
    public async Task CreateMember_WithTooLongNames_Is400OnBothNames()
    {
        var subdomain = await CreateTenantAsync();

        using var response = await Admin.PostAsJsonAsync($"/admin/tenants/{subdomain}/members",
            new { email = "x@acme.com", firstName = new string('a', 101), lastName = new string('b', 101), role = "team_member" });

        await AssertValidationErrorAsync(response, "firstName");
        await AssertValidationErrorAsync(response, "lastName");
    }

    [Test]
    public async Task CreateMember_UnknownTenant_Is404()
    {
        using var response = await Admin.PostAsJsonAsync("/admin/tenants/nobody-here/members", new { email = "x@acme.com", firstName = "B", lastName = "B", role = "team_member" });

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "tenant_not_found");
    }

    [Test]
    public async Task ListMembers_PagesAndFiltersByPartOfTheEmailInAnyCase()
    {
        var subdomain = await CreateTenantAsync();
        foreach (var email in new[] { "anna@acme.com", "britta@acme.com", "carl@globex.com", "under_score@acme.com" })
        {
            await CreateMemberAsync(subdomain, email);
            Factory.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        var all = await ListEmailsAsync(subdomain, "");
        var page = await ListEmailsAsync(subdomain, "?offset=1&limit=2");
        var filtered = await ListEmailsAsync(subdomain, "?email=ACME");
        var underscore = await ListEmailsAsync(subdomain, "?email=r_s");

        Assert.That(all.Emails, Is.EqualTo(new[] { "anna@acme.com", "britta@acme.com", "carl@globex.com", "under_score@acme.com" }));
        Assert.That(all.Total, Is.EqualTo(4));
        Assert.That(page.Emails, Is.EqualTo(new[] { "britta@acme.com", "carl@globex.com" }));
        Assert.That(filtered.Emails, Is.EqualTo(new[] { "anna@acme.com", "britta@acme.com", "under_score@acme.com" }));
        Assert.That(filtered.Total, Is.EqualTo(3));
        Assert.That(underscore.Emails, Is.EqualTo(new[] { "under_score@acme.com" }), "'_' is matched literally, not as a LIKE wildcard");
    }

    [Test]
    public async Task ListMembers_ShowsOnlyTheTenantsOwnMembers()
    {
        var mine = await CreateTenantAsync();
        var theirs = await CreateTenantAsync();
        await CreateMemberAsync(theirs, "other@globex.com");

        var list = await ListEmailsAsync(mine, "");

        Assert.That(list.Emails, Is.Empty);
    }

    [Test]
    public async Task ListMembers_WithBadLimit_Is400()
    {
        var subdomain = await CreateTenantAsync();

        using var response = await Admin.GetAsync(new Uri($"/admin/tenants/{subdomain}/members?limit=1000", UriKind.Relative));

        await AssertValidationErrorAsync(response, "limit");
    }

    [Test]
    public async Task ListMembers_UnknownTenant_Is404()
    {
        using var response = await Admin.GetAsync(new Uri("/admin/tenants/nobody-here/members", UriKind.Relative));

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "tenant_not_found");
    }

    [Test]
    public async Task PatchMember_Role_Is200WithTheNewRole()
    {
        var subdomain = await CreateTenantAsync();
        var id = await CreateMemberAsync(subdomain, "britta@acme.com");

        using var response = await PatchAsync(subdomain, id, new { role = "client_administrator" });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var member = await ReadJsonAsync(response);
        Assert.That(member.GetProperty("role").GetString(), Is.EqualTo("client_administrator"));
        Assert.That(member.GetProperty("status").GetString(), Is.EqualTo("active"));
    }

    [Test]
    public async Task PatchMember_Disabled_EndsTheirSessionsOnly()
    {
        var subdomain = await CreateTenantAsync();
        var britta = await CreateMemberAsync(subdomain, "britta@acme.com");
        var carl = await CreateMemberAsync(subdomain, "carl@acme.com");
        await OpenSessionAsync(subdomain, britta);
        await OpenSessionAsync(subdomain, britta);
        await OpenSessionAsync(subdomain, carl);

        using var response = await PatchAsync(subdomain, britta, new { status = "disabled" });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That((await ReadJsonAsync(response)).GetProperty("status").GetString(), Is.EqualTo("disabled"));
        Assert.That(await SessionCountAsync(britta), Is.Zero);
        Assert.That(await SessionCountAsync(carl), Is.EqualTo(1));
    }

    [Test]
    public async Task PatchMember_RoleOnly_KeepsTheirSessions()
    {
        var subdomain = await CreateTenantAsync();
        var britta = await CreateMemberAsync(subdomain, "britta@acme.com");
        await OpenSessionAsync(subdomain, britta);

        using var response = await PatchAsync(subdomain, britta, new { role = "client_administrator" });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await SessionCountAsync(britta), Is.EqualTo(1));
    }

    [Test]
    public async Task PatchMember_ReEnable_IsActiveAgain()
    {
        var subdomain = await CreateTenantAsync();
        var id = await CreateMemberAsync(subdomain, "britta@acme.com");
        using (await PatchAsync(subdomain, id, new { status = "disabled" }))
        {
        }

        using var response = await PatchAsync(subdomain, id, new { status = "active" });

        Assert.That((await ReadJsonAsync(response)).GetProperty("status").GetString(), Is.EqualTo("active"));
    }

    [Test]
    public async Task PatchMember_WithUnknownStatus_Is400OnStatus()
    {
        var subdomain = await CreateTenantAsync();
        var id = await CreateMemberAsync(subdomain, "britta@acme.com");

        using var response = await PatchAsync(subdomain, id, new { status = "suspended" });

        await AssertValidationErrorAsync(response, "status");
    }

    [Test]
    public async Task PatchMember_WithUnknownRole_Is400OnRole()
    {
        var subdomain = await CreateTenantAsync();
        var id = await CreateMemberAsync(subdomain, "britta@acme.com");

        using var response = await PatchAsync(subdomain, id, new { role = "owner" });

        await AssertValidationErrorAsync(response, "role");
    }

    [Test]
    public async Task PatchMember_WithNothingToChange_Is400()
    {
        var subdomain = await CreateTenantAsync();
        var id = await CreateMemberAsync(subdomain, "britta@acme.com");

        using var response = await PatchAsync(subdomain, id, new { });

        await AssertValidationErrorAsync(response, "body");
    }

    [Test]
    public async Task PatchMember_Unknown_Is404()
    {
        var subdomain = await CreateTenantAsync();

        using var response = await PatchAsync(subdomain, Guid.NewGuid(), new { role = "team_member" });

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "member_not_found");
    }

    [Test]
    public async Task PatchMember_OfAnotherTenant_Is404AndUnchanged()
    {
        var mine = await CreateTenantAsync();
        var theirs = await CreateTenantAsync();
        var id = await CreateMemberAsync(theirs, "other@globex.com");

        using var response = await PatchAsync(mine, id, new { status = "disabled" });

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "member_not_found");
        using var get = await Admin.GetAsync(new Uri($"/admin/tenants/{theirs}/members/{id}", UriKind.Relative));
        Assert.That((await ReadJsonAsync(get)).GetProperty("status").GetString(), Is.EqualTo("active"));
    }

    [Test]
    public async Task DeleteMember_Is204AndEndsTheirSessions()
    {
        var subdomain = await CreateTenantAsync();
        var id = await CreateMemberAsync(subdomain, "britta@acme.com");
        await OpenSessionAsync(subdomain, id);

        using var response = await Admin.DeleteAsync(new Uri($"/admin/tenants/{subdomain}/members/{id}", UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(await SessionCountAsync(id), Is.Zero);
        using var get = await Admin.GetAsync(new Uri($"/admin/tenants/{subdomain}/members/{id}", UriKind.Relative));
        await AssertProblemAsync(get, HttpStatusCode.NotFound, "member_not_found");
    }

    [Test]
    public async Task DeleteMember_Unknown_Is404()
    {
        var subdomain = await CreateTenantAsync();

        using var response = await Admin.DeleteAsync(new Uri($"/admin/tenants/{subdomain}/members/{Guid.NewGuid()}", UriKind.Relative));

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "member_not_found");
    }

    [Test]
    public async Task DeleteMember_UnknownTenant_Is404()
    {
        using var response = await Admin.DeleteAsync(new Uri($"/admin/tenants/nobody-here/members/{Guid.NewGuid()}", UriKind.Relative));

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "tenant_not_found");
    }

    private async Task<Guid> CreateMemberAsync(string subdomain, string email)
    {
        using var response = await Admin.PostAsJsonAsync($"/admin/tenants/{subdomain}/members", new { email, firstName = "First", lastName = "Last", role = "team_member" });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await ReadJsonAsync(response)).GetProperty("id").GetGuid();
    }

    private async Task<(string[] Emails, long Total)> ListEmailsAsync(string subdomain, string query)
    {
        using var response = await Admin.GetAsync(new Uri($"/admin/tenants/{subdomain}/members{query}", UriKind.Relative));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var page = await ReadJsonAsync(response);
        return (page.GetProperty("items").EnumerateArray().Select(m => m.GetProperty("email").GetString()!).ToArray(), page.GetProperty("total").GetInt64());
    }

    private Task<HttpResponseMessage> PatchAsync(string subdomain, Guid id, object body) =>
        Admin.PatchAsJsonAsync($"/admin/tenants/{subdomain}/members/{id}", body);

    // Sessions are opened by the ACS (another feature); the test writes the row the way it would.
    private async Task OpenSessionAsync(string subdomain, Guid memberId)
    {
        await using var connection = await Database.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            INSERT INTO sessions (token_hash, tenant_id, member_id, created_at, expires_at)
            SELECT @hash, t.id, @memberId, now(), now() + interval '8 hours' FROM tenants t WHERE t.subdomain = @subdomain
            """, new { hash = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), memberId, subdomain });
    }

    private async Task<long> SessionCountAsync(Guid memberId)
    {
        await using var connection = await Database.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM sessions WHERE member_id = @memberId", new { memberId });
    }
}
