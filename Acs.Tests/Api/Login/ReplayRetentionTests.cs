using System.Net;
using System.Text.Json;
using Acs.Core.Login;
using Acs.Core.Retention;
using Acs.Testing.TestIdp;
using Acs.Tests.TestInfrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Acs.Tests.Api.Login;

/// <summary>
/// Rule 13 over time: a consumed assertion is remembered until the last instant at which validation could still accept
/// it, across the background purge, with the fake clock. The clock only moves forward, so each test builds its
/// responses from the clock's current time.
/// </summary>
public sealed class ReplayRetentionTests
{
    private AcsTestSite _site = null!;

    [OneTimeSetUp]
    public async Task Start() => _site = await AcsTestSite.StartAsync("replay");

    [OneTimeTearDown]
    public async Task Stop() => await _site.DisposeAsync();

    private static string NewSubdomain() => "t" + Guid.NewGuid().ToString("N")[..12];

    private DateTimeOffset Now => _site.Factory.Clock.GetUtcNow();

    [Test]
    public async Task Replay_AfterTheConfirmationExpiredAndThePurgeRan_IsStillRefusedWithinTheSkew()
    {
        var subdomain = NewSubdomain();
        var tenant = await _site.CreateTenantAsync(subdomain);
        await SetClockSkewAsync(tenant, 600);
        var posted = Response(subdomain, confirmationLifetime: TimeSpan.FromSeconds(5)).BuildBase64();

        using var first = await AcsTestSite.PostAsync(_site.Browser(subdomain), posted);
        _site.Factory.Clock.Advance(TimeSpan.FromSeconds(6));
        using var beforePurge = await AcsTestSite.PostAsync(_site.Browser(subdomain), posted, json: true);
        await PurgeAsync();
        using var afterPurge = await AcsTestSite.PostAsync(_site.Browser(subdomain), posted, json: true);

        AcsTestSite.AssertSeeOther(first, "/");
        await AssertRefused(beforePurge, LoginErrorCodes.AssertionReplayed);
        await AssertRefused(afterPurge, LoginErrorCodes.AssertionReplayed);
        Assert.That(await _site.CountAsync("SELECT count(*) FROM sessions WHERE tenant_id = @tenant", new { tenant }), Is.EqualTo(1));
    }

    /// <summary>Each bound in turn is the earliest; just before it (plus skew) passes, the purged replay is still refused,
    /// just after, validation itself refuses the assertion.</summary>
    [TestCase("conditions", "assertion_expired")]
    [TestCase("confirmation", "subject_confirmation_invalid")]
    [TestCase("issue-instant", "assertion_too_old")]
    public async Task Replay_IsRefusedAsReplayUntilValidationWouldRefuseIt(string earliestBound, string codeAfterwards)
    {
        var subdomain = NewSubdomain();
        var tenant = await _site.CreateTenantAsync(subdomain);
        var skew = TimeSpan.FromSeconds(600);
        await SetClockSkewAsync(tenant, 600);
        var start = Now;
        var builder = Response(subdomain, conditionsLifetime: TimeSpan.FromHours(2), confirmationLifetime: TimeSpan.FromHours(2));
        DateTimeOffset bound;
        switch (earliestBound)
        {
            case "conditions":
                builder.NotOnOrAfter = bound = start.AddSeconds(30);
                break;
            case "confirmation":
                builder.ConfirmationNotOnOrAfter = bound = start.AddSeconds(30);
                break;
            default:
                // The validator's maximum assertion age is 10 minutes.
                bound = start.AddMinutes(10);
                break;
        }

        var posted = builder.BuildBase64();

        using var first = await AcsTestSite.PostAsync(_site.Browser(subdomain), posted);
        _site.Factory.Clock.SetUtcNow(bound + skew - TimeSpan.FromSeconds(1));
        await PurgeAsync();
        using var lastMoment = await AcsTestSite.PostAsync(_site.Browser(subdomain), posted, json: true);
        _site.Factory.Clock.SetUtcNow(bound + skew + TimeSpan.FromSeconds(1));
        await PurgeAsync();
        using var afterwards = await AcsTestSite.PostAsync(_site.Browser(subdomain), posted, json: true);

        AcsTestSite.AssertSeeOther(first, "/");
        await AssertRefused(lastMoment, LoginErrorCodes.AssertionReplayed);
        await AssertRefused(afterwards, codeAfterwards);
        Assert.That(await _site.CountAsync("SELECT count(*) FROM consumed_assertions WHERE tenant_id = @tenant", new { tenant }), Is.Zero,
            "once no clock skew can make it valid again, the row is purged");
    }

    [Test]
    public async Task Replay_AfterTheTenantRaisedItsClockSkew_IsStillRefused()
    {
        // The row is kept for the largest skew a tenant may set, so raising it later cannot revive a forgotten assertion.
        var subdomain = NewSubdomain();
        var tenant = await _site.CreateTenantAsync(subdomain);
        await SetClockSkewAsync(tenant, 0);
        var posted = Response(subdomain, confirmationLifetime: TimeSpan.FromSeconds(5)).BuildBase64();

        using var first = await AcsTestSite.PostAsync(_site.Browser(subdomain), posted);
        _site.Factory.Clock.Advance(TimeSpan.FromSeconds(6));
        await PurgeAsync();
        await SetClockSkewAsync(tenant, 600);
        using var replay = await AcsTestSite.PostAsync(_site.Browser(subdomain), posted, json: true);

        AcsTestSite.AssertSeeOther(first, "/");
        await AssertRefused(replay, LoginErrorCodes.AssertionReplayed);
    }

    [Test]
    public async Task Replay_OfAnSpInitiatedResponseAfterThePurge_IsRefused()
    {
        var subdomain = NewSubdomain();
        var tenant = await _site.CreateTenantAsync(subdomain);
        await SetClockSkewAsync(tenant, 600);
        using var browser = _site.Browser(subdomain);
        using var start = await browser.GetAsync(new Uri("/sso/saml/login?returnTo=%2F", UriKind.Relative));
        var requestId = System.Web.HttpUtility.ParseQueryString(start.Headers.Location!.Query)["RelayState"]!;
        var builder = Response(subdomain, confirmationLifetime: TimeSpan.FromSeconds(5));
        builder.ConfirmationInResponseTo = requestId;
        var posted = builder.BuildBase64();

        using var first = await AcsTestSite.PostAsync(browser, posted);
        _site.Factory.Clock.Advance(TimeSpan.FromSeconds(6));
        await PurgeAsync();
        using var replay = await AcsTestSite.PostAsync(browser, posted, json: true);

        AcsTestSite.AssertSeeOther(first, "/");
        Assert.That(replay.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    private TestResponseBuilder Response(string subdomain, TimeSpan? conditionsLifetime = null, TimeSpan? confirmationLifetime = null)
    {
        var now = Now;
        var builder = AcsTestSite.ResponseFor(subdomain);
        builder.IssueInstant = now;
        builder.NotBefore = now.AddMinutes(-5);
        builder.NotOnOrAfter = now + (conditionsLifetime ?? TimeSpan.FromHours(1));
        builder.ConfirmationNotOnOrAfter = now + (confirmationLifetime ?? TimeSpan.FromMinutes(5));
        return builder;
    }

    private async Task SetClockSkewAsync(Guid tenant, int seconds)
    {
        await using var connection = await _site.Db.OpenConnectionAsync();
        await connection.ExecuteAsync("UPDATE tenants SET clock_skew_seconds = @seconds WHERE id = @tenant", new { tenant, seconds });
        _site.TenantChanged(tenant);
    }

    private async Task PurgeAsync()
    {
        var purger = _site.Factory.Services.GetRequiredService<IExpiredDataPurger>();
        await purger.PurgeAsync(Now, Now.AddDays(-90), CancellationToken.None);
    }

    private static async Task AssertRefused(HttpResponseMessage response, string errorCode)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), body);
        using var problem = JsonDocument.Parse(body);
        Assert.That(problem.RootElement.GetProperty("errorCode").GetString(), Is.EqualTo(errorCode), body);
    }
}
