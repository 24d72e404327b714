using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Web;
using Acs.Core.Saml.Validation;
using Acs.Data.Tenants;
using Acs.Tests.TestInfrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Acs.Tests.Api.Login;

/// <summary>
/// What a sign-in costs the database, counted from Npgsql's own spans (one per command or batch, i.e. per round trip)
/// within the sign-in's trace, which the test starts itself with a traceparent header. The tenant is already cached,
/// as on every sign-in but a site's first.
/// </summary>
public sealed class ConsumeRoundTripTests
{
    private AcsTestSite _site = null!;
    private ActivityListener _listener = null!;
    private readonly ConcurrentDictionary<ActivityTraceId, ConcurrentQueue<Activity>> _spans = new();

    [OneTimeSetUp]
    public async Task Start()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Npgsql" or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.Source.Name == "Npgsql" && _spans.TryGetValue(activity.TraceId, out var spans))
                {
                    spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
        _site = await AcsTestSite.StartAsync("roundtrips");
        // Until the change feed listens, cached tenants are revalidated (a round trip that is not the sign-in's own).
        var feed = _site.Factory.Services.GetRequiredService<TenantChangeFeed>();
        var waited = Stopwatch.StartNew();
        while (!feed.IsListening && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(20);
        }

        Assert.That(feed.IsListening, Is.True, "the tenant change feed never started listening");
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _listener.Dispose();
        await _site.DisposeAsync();
    }

    /// <summary>
    /// A new tenant whose creation's notifications have arrived: they would otherwise drop the tenant from the cache
    /// after the warm-up, and the measured sign-in would read it again (the right thing after a change, not measured here).
    /// </summary>
    private async Task<Guid> CreateSettledTenantAsync(string subdomain)
    {
        var tenant = await _site.CreateTenantAsync(subdomain);
        await Task.Delay(500);
        return tenant;
    }

    private static string NewSubdomain() => "t" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Sends the request inside a trace of its own and returns the database round trips made in it.</summary>
    private async Task<(HttpResponseMessage Response, int RoundTrips)> TracedAsync(HttpClient browser, HttpRequestMessage request)
    {
        var traceId = ActivityTraceId.CreateRandom();
        _spans[traceId] = new ConcurrentQueue<Activity>();
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        var response = await browser.SendAsync(request);
        return (response, _spans[traceId].Count);
    }

    private static HttpRequestMessage Post(string samlResponse) =>
        new(HttpMethod.Post, "/sso/saml/consume")
        {
            Content = new FormUrlEncodedContent([new KeyValuePair<string, string>("SAMLResponse", samlResponse)]),
        };

    [Test]
    public async Task Consume_FirstSignInOfAPerson_TakesTwoRoundTrips()
    {
        var subdomain = NewSubdomain();
        await CreateSettledTenantAsync(subdomain);
        using var browser = _site.Browser(subdomain);
        using var warmUp = await AcsTestSite.PostAsync(browser, AcsTestSite.ResponseFor(subdomain, email: "w@contoso.test", objectId: "oid-w").BuildBase64());

        var (response, roundTrips) = await TracedAsync(browser, Post(AcsTestSite.ResponseFor(subdomain).BuildBase64()));

        AcsTestSite.AssertSeeOther(response, "/");
        Assert.That(roundTrips, Is.EqualTo(2), "[BEGIN, consume, lock, find members] and [member, session, event, COMMIT]");
        response.Dispose();
    }

    [Test]
    public async Task Consume_ReturningPersonAnsweringAnSpInitiatedRequest_TakesTwoRoundTrips()
    {
        var subdomain = NewSubdomain();
        await CreateSettledTenantAsync(subdomain);
        using var browser = _site.Browser(subdomain);
        using var first = await AcsTestSite.PostAsync(browser, AcsTestSite.ResponseFor(subdomain).BuildBase64());
        using var started = await browser.GetAsync(new Uri("/sso/saml/login?returnTo=%2Fincidents", UriKind.Relative));
        var requestId = HttpUtility.ParseQueryString(started.Headers.Location!.Query)["RelayState"]!;
        var answer = AcsTestSite.ResponseFor(subdomain);
        answer.ResponseInResponseTo = requestId;
        answer.ConfirmationInResponseTo = requestId;

        var (response, roundTrips) = await TracedAsync(browser, Post(answer.BuildBase64()));

        AcsTestSite.AssertSeeOther(response, "/incidents");
        Assert.That(roundTrips, Is.EqualTo(2), "the request is consumed in the first batch, not checked beforehand");
        response.Dispose();
    }

    [Test]
    public async Task Consume_RefusedByValidation_TakesOneRoundTrip_ItsLoginEvent()
    {
        var subdomain = NewSubdomain();
        var tenant = await CreateSettledTenantAsync(subdomain);
        using var browser = _site.Browser(subdomain);
        using var warmUp = await AcsTestSite.PostAsync(browser, AcsTestSite.ResponseFor(subdomain).BuildBase64());
        var wrongAudience = AcsTestSite.ResponseFor(subdomain);
        wrongAudience.Audience = "https://elsewhere.example/";

        var (response, roundTrips) = await TracedAsync(browser, Post(wrongAudience.BuildBase64()));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(roundTrips, Is.EqualTo(1));
        Assert.That(await _site.EventsAsync(tenant), Does.Contain((Acs.Core.Login.LoginOutcomes.Failure, (string?)SamlErrorCodes.AudienceMismatch)));
        response.Dispose();
    }

    [Test]
    public async Task Consume_ReplayedAssertion_TakesTwoRoundTrips_AndLeavesItsEvent()
    {
        var subdomain = NewSubdomain();
        var tenant = await CreateSettledTenantAsync(subdomain);
        using var browser = _site.Browser(subdomain);
        var once = AcsTestSite.ResponseFor(subdomain).BuildBase64();
        using var first = await AcsTestSite.PostAsync(browser, once);

        var (response, roundTrips) = await TracedAsync(browser, Post(once));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(roundTrips, Is.EqualTo(2), "[BEGIN, consume (finds it used), ...] then [ROLLBACK, event]");
        Assert.That(await _site.EventsAsync(tenant), Does.Contain((Acs.Core.Login.LoginOutcomes.Failure, (string?)Acs.Core.Login.LoginErrorCodes.AssertionReplayed)));
        response.Dispose();
    }
}
