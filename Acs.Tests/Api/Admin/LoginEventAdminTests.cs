using System.Net;
using System.Text.Json;
using Dapper;

namespace Acs.Tests.Api.Admin;

public sealed class LoginEventAdminTests : AdminApiTests
{
    private static readonly DateTimeOffset Morning = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);

    protected override string Purpose => "adminevents";

    [Test]
    public async Task ListLoginEvents_ShowsEveryFieldNewestFirst()
    {
        var subdomain = await CreateTenantAsync();
        var first = await InsertEventAsync(subdomain, Morning, "success", null);
        var second = await InsertEventAsync(subdomain, Morning.AddMinutes(5), "failure", "audience_mismatch");

        using var response = await Admin.GetAsync(new Uri($"/admin/tenants/{subdomain}/login-events", UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var events = (await ReadJsonAsync(response)).EnumerateArray().ToList();
        Assert.That(events.Select(e => e.GetProperty("id").GetGuid()), Is.EqualTo(new[] { second, first }));
        var failure = events[0];
        Assert.That(failure.GetProperty("occurredAt").GetDateTimeOffset(), Is.EqualTo(Morning.AddMinutes(5)));
        Assert.That(failure.GetProperty("outcome").GetString(), Is.EqualTo("failure"));
        Assert.That(failure.GetProperty("errorCode").GetString(), Is.EqualTo("audience_mismatch"));
        Assert.That(failure.GetProperty("message").GetString(), Is.EqualTo("The assertion is for another service provider."));
        Assert.That(failure.GetProperty("expected").GetString(), Is.EqualTo($"https://{subdomain}.statuspage.io/"));
        Assert.That(failure.GetProperty("received").GetString(), Is.EqualTo("https://wrong.example.com/"));
        Assert.That(failure.GetProperty("nameId").GetString(), Is.EqualTo("britta@acme.com"));
        Assert.That(failure.GetProperty("memberId").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(failure.GetProperty("assertionId").GetString(), Is.EqualTo("_a1"));
        Assert.That(failure.GetProperty("clientAddress").GetString(), Is.EqualTo("203.0.113.7"));
        Assert.That(failure.GetProperty("userAgent").GetString(), Is.EqualTo("Mozilla/5.0"));
    }

    [Test]
    public async Task ListLoginEvents_FilteredByOutcomeAndLimited()
    {
        var subdomain = await CreateTenantAsync();
        for (var i = 0; i < 4; i++)
        {
            await InsertEventAsync(subdomain, Morning.AddMinutes(i), i % 2 == 0 ? "failure" : "success", i % 2 == 0 ? "signature_invalid" : null);
        }

        using var failures = await Admin.GetAsync(new Uri($"/admin/tenants/{subdomain}/login-events?outcome=failure", UriKind.Relative));
        using var limited = await Admin.GetAsync(new Uri($"/admin/tenants/{subdomain}/login-events?limit=3", UriKind.Relative));

        var failureTimes = (await ReadJsonAsync(failures)).EnumerateArray().Select(e => e.GetProperty("occurredAt").GetDateTimeOffset()).ToList();
        Assert.That(failureTimes, Is.EqualTo(new[] { Morning.AddMinutes(2), Morning }));
        Assert.That((await ReadJsonAsync(limited)).GetArrayLength(), Is.EqualTo(3));
    }

    [Test]
    public async Task ListLoginEvents_ShowsOnlyTheTenantsOwnEvents()
    {
        var mine = await CreateTenantAsync();
        var theirs = await CreateTenantAsync();
        await InsertEventAsync(theirs, Morning, "failure", "issuer_mismatch");

        using var response = await Admin.GetAsync(new Uri($"/admin/tenants/{mine}/login-events", UriKind.Relative));

        Assert.That((await ReadJsonAsync(response)).GetArrayLength(), Is.Zero);
    }

    [TestCase("outcome=failed", "outcome")]
    [TestCase("limit=0", "limit")]
    [TestCase("limit=501", "limit")]
    [TestCase("limit=ten", "limit")]
    public async Task ListLoginEvents_WithBadQuery_Is400NamingTheParameter(string query, string field)
    {
        var subdomain = await CreateTenantAsync();

        using var response = await Admin.GetAsync(new Uri($"/admin/tenants/{subdomain}/login-events?{query}", UriKind.Relative));

        await AssertValidationErrorAsync(response, field);
    }

    [Test]
    public async Task ListLoginEvents_UnknownTenant_Is404()
    {
        using var response = await Admin.GetAsync(new Uri("/admin/tenants/nobody-here/login-events", UriKind.Relative));

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "tenant_not_found");
    }

    // The ACS writes login events (another feature); the test writes rows the way it would.
    private async Task<Guid> InsertEventAsync(string subdomain, DateTimeOffset occurredAt, string outcome, string? errorCode)
    {
        var id = Guid.NewGuid();
        await using var connection = await Database.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            INSERT INTO login_events (id, tenant_id, occurred_at, outcome, error_code, message, expected, received, assertion_id, name_id,
                                      member_id, client_address, user_agent)
            SELECT @id, t.id, @occurredAt, @outcome, @errorCode, 'The assertion is for another service provider.',
                   'https://' || t.subdomain || '.statuspage.io/', 'https://wrong.example.com/', '_a1', 'britta@acme.com',
                   NULL, '203.0.113.7', 'Mozilla/5.0'
            FROM tenants t WHERE t.subdomain = @subdomain
            """, new { id, occurredAt, outcome, errorCode, subdomain });
        return id;
    }
}
