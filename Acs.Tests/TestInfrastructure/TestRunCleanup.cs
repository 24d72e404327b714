using Acs.Tests.TestInfrastructure;

[assembly: ReleaseFixtureDatabases]

// Fixtures own their databases and services, so they run side by side; fixtures that time things, stop databases or
// load the machine are [NonParallelizable]. Three at once keeps two cores busy while others wait on PostgreSQL.
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(3)]

namespace Acs.Tests.TestInfrastructure;

/// <summary>Stops the test PostgreSQL (if this run started one) when every test of the assembly has finished.</summary>
[SetUpFixture]
public sealed class TestRunCleanup
{
    [OneTimeTearDown]
    public static async Task StopDatabase() => await PostgresServer.StopAsync();
}
