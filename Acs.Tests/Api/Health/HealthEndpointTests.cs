using System.Net;
using Acs.Tests.TestInfrastructure;

namespace Acs.Tests.Api.Health;

public sealed class HealthEndpointTests
{
    private AcsApiFactory _factory = null!;

    [OneTimeSetUp]
    public async Task StartService() => _factory = new AcsApiFactory(await PostgresServer.CreateEmptyDatabaseAsync("health"));

    [OneTimeTearDown]
    public async Task StopService() => await _factory.DisposeAsync();

    [Test]
    public async Task Healthz_WhenProcessRuns_Is200()
    {
        using var response = await _factory.CreateClient().GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Readyz_OnAnEmptyDatabase_IsReadyBecauseStartupMigrates()
    {
        using var response = await _factory.CreateClient().GetAsync(new Uri("/readyz", UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("Healthy"));
    }
}
