using Acs.Tests.Reliability;
using Acs.Tests.TestInfrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace Acs.Tests.Api.Login;

/// <summary>Sign-in log lines print "-" for a value a sign-in has not (a failure's member, a success's code), never "(null)".</summary>
public sealed class SignInLogTests
{
    [Test]
    public async Task SignInLogLines_OfSuccessAndFailure_NeverPrintNull()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("signinlog");
        await Acs.Testing.Tenants.TenantSeeder.InsertAsync(connectionString, new Acs.Testing.Tenants.SeedTenant("logged").WithTestIdp());
        var logs = new CapturingLoggerProvider("(null)", "Login ");
        await using var factory = new AcsApiFactory(connectionString);
        await using var logged = factory.WithWebHostBuilder(web => web.ConfigureLogging(logging =>
        {
            logging.ClearProviders();
            logging.AddProvider(logs);
            logging.AddFilter<CapturingLoggerProvider>("Acs", LogLevel.Debug);
        }));
        using var browser = logged.CreateClient(new WebApplicationFactoryClientOptions
        {
            BaseAddress = new Uri("https://logged.statuspage.io"),
            AllowAutoRedirect = false,
        });
        using var admin = logged.CreateClient();

        using var success = await AcsTestSite.PostAsync(browser, AcsTestSite.ResponseFor("logged").BuildBase64());
        using var failure = await AcsTestSite.PostAsync(browser, "not base64 at all");
        using var refused = await admin.GetAsync(new Uri("/admin/tenants", UriKind.Relative));

        var lines = logs.Leaks.Where(l => l.Split(' ')[1].StartsWith("Acs", StringComparison.Ordinal)).ToList();
        Assert.That(lines.Count(l => l.Contains("Login success", StringComparison.Ordinal)), Is.EqualTo(1), string.Join("\n", lines));
        Assert.That(lines.Count(l => l.Contains("Login failure", StringComparison.Ordinal)), Is.EqualTo(1), string.Join("\n", lines));
        Assert.That(lines, Has.None.Contains("(null)"));
        Assert.That(lines.Single(l => l.Contains("Login failure", StringComparison.Ordinal)), Does.Contain("member=-"));
        Assert.That(lines.Single(l => l.Contains("Login success", StringComparison.Ordinal)), Does.Contain("code=-"));
    }
}
