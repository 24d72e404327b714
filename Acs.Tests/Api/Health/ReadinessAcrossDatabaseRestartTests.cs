using System.Net;
using Acs.Tests.TestInfrastructure;

namespace Acs.Tests.Api.Health;

/// <summary>/readyz follows the database: 503 while it is down, 200 again once it is back, with no service restart;
/// meanwhile the ACS answers 503 with Retry-After rather than 500.</summary>
[Category("Slow")]
[NonParallelizable]
public sealed class ReadinessAcrossDatabaseRestartTests
{
    [Test]
    public async Task Readyz_WhenDatabaseStopsAndReturns_Turns503ThenBackTo200()
    {
        await using var cluster = await LocalPostgresCluster.StartPrivateAsync();
        await using var factory = new AcsApiFactory(cluster.ConnectionString + ";Timeout=3");
        using var client = factory.CreateClient();

        Assert.That((await client.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await cluster.StopAsync();
        using (var down = await client.GetAsync(new Uri("/readyz", UriKind.Relative)))
        {
            Assert.That(down.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        }

        using (var tenantClient = factory.CreateTenantClient("acme"))
        using (var consume = await tenantClient.PostAsync(new Uri("/sso/saml/consume", UriKind.Relative),
                   new FormUrlEncodedContent([new("SAMLResponse", "eA==")])))
        {
            Assert.That(consume.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "the ACS must answer 503, not 500, without its database");
            Assert.That(consume.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(5)));
        }

        await cluster.StartAgainAsync();
        var readyAgain = false;
        for (var attempt = 0; attempt < 20 && !readyAgain; attempt++)
        {
            using var again = await client.GetAsync(new Uri("/readyz", UriKind.Relative));
            readyAgain = again.StatusCode == HttpStatusCode.OK;
            if (!readyAgain)
            {
                await Task.Delay(500);
            }
        }

        Assert.That(readyAgain, Is.True, "/readyz did not return to 200 within 10 s of the database coming back");
    }
}
