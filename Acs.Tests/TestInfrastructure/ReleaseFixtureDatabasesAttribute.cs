using NUnit.Framework.Interfaces;

namespace Acs.Tests.TestInfrastructure;

/// <summary>
/// After each fixture, drops the databases it created. Idle connections in its pools would otherwise stay open until
/// the run ends and, fixture after fixture, exhaust the server's <c>max_connections</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class ReleaseFixtureDatabasesAttribute : Attribute, ITestAction
{
    public ActionTargets Targets => ActionTargets.Suite;

    public void BeforeTest(ITest test)
    {
    }

    public void AfterTest(ITest test)
    {
        if (test is NUnit.Framework.Internal.TestFixture)
        {
            PostgresServer.DropDatabasesOfAsync(test.Id).GetAwaiter().GetResult();
        }
    }
}
