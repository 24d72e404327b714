using Acs.Tests.TestInfrastructure;

namespace Acs.Tests.Api.Hosting;

/// <summary>The service as operators start it: a real process, configured by environment variables.</summary>
public sealed class StartupTests
{
    private static readonly string ApiDll = Path.Combine(AppContext.BaseDirectory, "Acs.Api.dll");

    [Test]
    public async Task Start_WithoutConnectionString_StopsWithOneClearLineAndNoStackTrace()
    {
        var (exitCode, output) = await RunApi([], new Dictionary<string, string?>
        {
            ["ConnectionStrings__Acs"] = null,
            ["Acs__PublicUrls__0"] = "https://{subdomain}.statuspage.io",
            ["Acs__AdminApiKey"] = "0123456789abcdef0123",
        });

        Assert.That(exitCode, Is.Not.Zero);
        Assert.That(output, Does.Contain("ConnectionStrings__Acs is not set"));
        Assert.That(output, Does.Not.Contain("Exception").And.Not.Contain("   at "));
    }

    [Test]
    public async Task Start_WithMalformedPublicUrl_NamesTheVariable()
    {
        var (exitCode, output) = await RunApi([], new Dictionary<string, string?>
        {
            ["ConnectionStrings__Acs"] = "Host=127.0.0.1",
            ["Acs__PublicUrls__0"] = "statuspage.io",
            ["Acs__AdminApiKey"] = "0123456789abcdef0123",
        });

        Assert.That(exitCode, Is.Not.Zero);
        Assert.That(output, Does.Contain("Acs__PublicUrls__0"));
    }

    [Test]
    public async Task MigrateCommand_OnEmptyDatabase_AppliesAndExitsZero()
    {
        var connectionString = await PostgresServer.CreateEmptyDatabaseAsync("migratecmd");

        var (exitCode, output) = await RunApi(["migrate"], ValidEnvironment(connectionString));

        Assert.That(exitCode, Is.Zero, output);
        Assert.That(output, Does.Contain("migrate: applied"));
    }

    [Test]
    public async Task MigrateCommand_WhenDatabaseUnreachable_ExitsNonZeroWithReason()
    {
        var (exitCode, output) = await RunApi(["migrate"], ValidEnvironment("Host=127.0.0.1;Port=1;Username=x;Database=x;Timeout=2"));

        Assert.That(exitCode, Is.Not.Zero);
        Assert.That(output, Does.Contain("migrate: failed: database unreachable"));
    }

    [Test]
    public async Task Start_AgainstDatabaseThatRequiresAPassword_MigratesAndServes()
    {
        var connectionString = await PostgresServer.CreateEmptyDatabaseAsync("pwserve");
        await Acs.Tests.Data.MigrationTests.AssertServerRequiresPasswordAsync(connectionString);

        await using var service = await ServiceProcess.StartAsync(connectionString, environmentName: "Production");
        using var http = new HttpClient();
        using var ready = await http.GetAsync(new Uri($"http://localhost:{service.Port}/readyz"));

        Assert.That(ready.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK), service.Output);
    }

    [Test]
    public async Task Start_WithWrongDatabasePassword_StopsAtOnceWithOneClearLineAndNoStackTrace()
    {
        var connectionString = new Npgsql.NpgsqlConnectionStringBuilder(await PostgresServer.CreateEmptyDatabaseAsync("pwwrong"))
        {
            Password = "not-the-password",
        };
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();

        var (exitCode, output) = await RunApi([], ValidEnvironment(connectionString.ConnectionString));

        Assert.That(exitCode, Is.Not.Zero);
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)), "a refused password is not waited out like an outage");
        Assert.That(output, Does.Contain("PostgreSQL refused the credentials of ConnectionStrings__Acs").And.Contain("password authentication failed"));
        Assert.That(output, Does.Not.Contain("Exception").And.Not.Contain("   at "));
    }

    [Test]
    public async Task Start_InDevelopmentWithUnwritableIdpKeyFile_StopsWithOneLineNamingTheSetting()
    {
        var environment = ValidEnvironment(await PostgresServer.CreateEmptyDatabaseAsync("devkey"));
        environment["Acs__DevelopmentIdp__KeyFile"] = "/dev/null/signing-key.pem";

        var (exitCode, output) = await RunApi([], environment, "Development");

        Assert.That(exitCode, Is.Not.Zero);
        Assert.That(output, Does.Contain("The development IdP cannot keep its signing key").And.Contain("Acs__DevelopmentIdp__KeyFile"));
        Assert.That(output, Does.Not.Contain("Unhandled exception").And.Not.Contain("   at "));
    }

    private static Dictionary<string, string?> ValidEnvironment(string connectionString) => new()
    {
        ["ConnectionStrings__Acs"] = connectionString,
        ["Acs__PublicUrls__0"] = "https://{subdomain}.statuspage.io",
        ["Acs__AdminApiKey"] = "0123456789abcdef0123",
    };

    private static Task<(int ExitCode, string Output)> RunApi(string[] arguments, Dictionary<string, string?> environment,
        string environmentName = "Production")
    {
        environment["ASPNETCORE_ENVIRONMENT"] = environmentName;
        return ProcessRunner.RunAsync("dotnet", [ApiDll, .. arguments], TimeSpan.FromSeconds(60), AppContext.BaseDirectory, environment);
    }
}
