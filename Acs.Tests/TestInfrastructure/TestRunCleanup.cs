using Acs.Tests.TestInfrastructure;

[assembly: ReleaseFixtureDatabases]

namespace Acs.Tests;

/// <summary>Stops the test PostgreSQL (if this run started one) when every test of the assembly has finished.</summary>
[SetUpFixture]
public sealed class TestRunCleanup
{
    [OneTimeTearDown]
    public static async Task StopDatabase() => await PostgresServer.StopAsync();
}
