using System.Net;
using Acs.Tests.TestInfrastructure;
using Dapper;
using Npgsql;

namespace Acs.Tests.Api.Login;

/// <summary>
/// The redirect after sign-in through Kestrel, which (unlike the in-memory test server) refuses header values it
/// cannot send: a path that is not ASCII must still become a 303, never a 500 after the sign-in committed.
/// </summary>
public sealed class KestrelRedirectTests
{
    private AcsApiFactory _factory = null!;
    private NpgsqlDataSource _db = null!;
    private AcsTestSite _rows = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _rows = await AcsTestSite.StartAsync("kestrel");
        _factory = AcsApiFactory.WithKestrel(_rows.Factory.ConnectionString);
        _db = NpgsqlDataSource.Create(_rows.Factory.ConnectionString);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _factory.DisposeAsync();
        await _db.DisposeAsync();
        await _rows.DisposeAsync();
    }

    [TestCase("/incidents/café", "/incidents/caf%C3%A9")]
    [TestCase("/状态", "/%E7%8A%B6%E6%80%81")]
    public async Task Consume_WithNonAsciiRelayState_Is303WithAnAsciiLocationAndTheReplayIsRefused(string relayState, string expected)
    {
        var subdomain = "t" + Guid.NewGuid().ToString("N")[..12];
        var tenant = await _rows.CreateTenantAsync(subdomain);
        var posted = AcsTestSite.ResponseFor(subdomain, https: false).BuildBase64();
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = _factory.KestrelAddress };

        using var first = await PostAsync(http, subdomain, posted, relayState);
        using var replay = await PostAsync(http, subdomain, posted, relayState);

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), await first.Content.ReadAsStringAsync());
        Assert.That(first.Headers.Location?.OriginalString, Is.EqualTo(expected));
        Assert.That(replay.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        await using var connection = await _db.OpenConnectionAsync();
        Assert.That(await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM sessions WHERE tenant_id = @tenant", new { tenant }), Is.EqualTo(1));
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient http, string subdomain, string samlResponse, string relayState)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/sso/saml/consume")
        {
            Content = new FormUrlEncodedContent([new("SAMLResponse", samlResponse), new("RelayState", relayState)]),
        };
        request.Headers.Host = $"{subdomain}.acs.localhost";
        return await http.SendAsync(request);
    }
}
