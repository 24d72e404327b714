using System.Net;
using Acs.Testing.Tenants;
using Acs.Tests.TestInfrastructure;

namespace Acs.Tests.Api.DevelopmentIdp;

/// <summary>The development IdP signs anyone in: it must never be reachable in Production, whatever the settings say.</summary>
public sealed class DevelopmentIdpExposureTests
{
    [TestCase("Production", "true", HttpStatusCode.NotFound)]
    [TestCase("Production", "false", HttpStatusCode.NotFound)]
    [TestCase("Testing", "false", HttpStatusCode.NotFound)]
    [TestCase("Testing", "true", HttpStatusCode.OK)]
    [TestCase("Development", "false", HttpStatusCode.OK)]
    public async Task DevIdpPage_DependsOnEnvironmentAndSetting(string environment, string enabled, HttpStatusCode expected)
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("devidp");
        var keyFolder = Directory.CreateTempSubdirectory("acs-dev-idp-test-").FullName;
        try
        {
            await using var factory = new AcsApiFactory(connectionString, new Dictionary<string, string?>
            {
                ["environment"] = environment,
                ["Acs:DevelopmentIdp:Enabled"] = enabled,
                ["Acs:DevelopmentIdp:KeyFile"] = Path.Combine(keyFolder, "key.pem"),
            });
            await InsertTenantAsync(connectionString, "acme");

            using var response = await factory.CreateTenantClient("acme").GetAsync(new Uri("/dev/idp", UriKind.Relative));

            Assert.That(response.StatusCode, Is.EqualTo(expected));
        }
        finally
        {
            Directory.Delete(keyFolder, recursive: true);
        }
    }

    private static Task InsertTenantAsync(string connectionString, string subdomain) =>
        TenantSeeder.InsertAsync(connectionString, new SeedTenant(subdomain) { DisplayName = "Acme" });
}
