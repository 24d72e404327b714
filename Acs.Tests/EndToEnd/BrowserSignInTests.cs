using Acs.Tests.TestInfrastructure;
using Microsoft.Playwright;

namespace Acs.Tests.EndToEnd;

/// <summary>
/// The whole sign-in in a real browser (Debian's Chromium, driven by Playwright): the development IdP's signed form
/// post, the session cookie, the redirect, sign-out, a tampered response, and SP-initiated sign-in.
/// </summary>
[NonParallelizable]
[Category("Slow")]
public sealed class BrowserSignInTests
{
    private const string ChromiumPath = "/usr/bin/chromium";

    private ServiceProcess _service = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    [OneTimeSetUp]
    public async Task StartServiceAndBrowser()
    {
        if (!File.Exists(ChromiumPath))
        {
            if (Environment.GetEnvironmentVariable("CI") is not null)
            {
                Assert.Fail($"{ChromiumPath} is missing: CI installs the Debian chromium package (.ci/run)");
            }

            Assert.Ignore($"SKIPPED (not in CI): no browser at {ChromiumPath}; install it with apt-get install chromium");
        }

        _service = await ServiceProcess.StartAsync(await PostgresServer.CreateDatabaseAsync("browser"));
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // This machine's network is closed: no background connections, no sandbox (tests run as root).
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
        });
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }
    }

    [Test]
    public async Task DevelopmentIdpSignIn_LandsSignedIn_SurvivesReload_AndSignsOut()
    {
        var page = await NewPageAsync();
        var demo = _service.TenantUrl("demo");

        await page.GotoAsync($"{demo}/dev/idp");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync($"{demo}/");

        var signedIn = "Signed in to Demo Company as Britta Simon (Client Administrator)";
        Assert.That(await page.InnerTextAsync("main"), Does.Contain(signedIn), _service.Output);
        await SaveScreenshotAsync(page, "signed-in.png");

        await page.ReloadAsync();
        Assert.That(await page.InnerTextAsync("main"), Does.Contain(signedIn));

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.WaitForURLAsync($"{demo}/signed-out");
        Assert.That(await page.InnerTextAsync("main"), Does.Contain("You are signed out of Demo Company on this site")
            .And.Contain("still signed in to your company account"));
        await page.GetByRole(AriaRole.Link, new() { Name = "Site home" }).ClickAsync();
        Assert.That(await page.InnerTextAsync("main"), Does.Contain("You are not signed in"));
    }

    [Test]
    public async Task DevelopmentIdpSignIn_WithTamperedResponse_ShowsErrorPageWithCode()
    {
        var page = await NewPageAsync();
        var demo = _service.TenantUrl("demo");
        await page.GotoAsync($"{demo}/dev/idp");
        await page.GetByLabel("Tamper with the response after signing").CheckAsync();

        var consume = page.WaitForResponseAsync($"{demo}/sso/saml/consume");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        var response = await consume;

        Assert.That(response.Status, Is.EqualTo(403));
        var text = await page.InnerTextAsync("main");
        Assert.That(text, Does.Contain("Sign-in failed").And.Contain("signature_invalid").And.Contain("Event id"));
        await SaveScreenshotAsync(page, "sign-in-failed.png");
    }

    [Test]
    public async Task SpInitiatedSignIn_FromLandingPage_GoesThroughIdpAndReturns()
    {
        var page = await NewPageAsync();
        var demo = _service.TenantUrl("demo");
        await page.GotoAsync($"{demo}/");

        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in with your company account" }).ClickAsync();
        await page.WaitForURLAsync(url => url.StartsWith($"{demo}/dev/idp?SAMLRequest=", StringComparison.Ordinal));
        Assert.That(await page.InnerTextAsync("main"), Does.Contain("answering the site's sign-in request"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync($"{demo}/");

        Assert.That(await page.InnerTextAsync("main"), Does.Contain("Signed in to Demo Company as Britta Simon"));
    }

    [Test]
    public async Task SpInitiatedSignIn_WithReturnTo_ReturnsThereAfterSignIn()
    {
        var page = await NewPageAsync();
        var demo = _service.TenantUrl("demo");

        await page.GotoAsync($"{demo}/sso/saml/login?returnTo=%2Fapi%2Fme");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync($"{demo}/api/me");

        Assert.That(await page.InnerTextAsync("body"), Does.Contain("\"email\":\"britta.simon@contoso.com\""));
    }

    private async Task<IPage> NewPageAsync()
    {
        var context = await _browser.NewContextAsync();
        return await context.NewPageAsync();
    }

    private static async Task SaveScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(RepositoryRoot(), "artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        TestContext.AddTestAttachment(path);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "AcsService.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? AppContext.BaseDirectory;
    }
}
