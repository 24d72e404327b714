using Acs.Tests.TestInfrastructure;

[assembly: ReleaseFixtureDatabases]

// Fixtures own their databases and services, so they run side by side; fixtures that time things, stop databases or
// load the machine are [NonParallelizable]. Three at once keeps two cores busy while others wait on PostgreSQL.
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(3)]

// The namespace every fixture lives under: a set-up fixture only wraps the fixtures of its own namespace, so here its
// tear-down runs once every test of the assembly has finished (in TestInfrastructure it wrapped none and never ran).
namespace Acs.Tests;

/// <summary>Stops the test PostgreSQL (if this run started one) when every test of the assembly has finished.</summary>
[SetUpFixture]
public sealed class TestRunCleanup
{
    [OneTimeTearDown]
    public static async Task StopDatabase() => await PostgresServer.StopAsync();
}
