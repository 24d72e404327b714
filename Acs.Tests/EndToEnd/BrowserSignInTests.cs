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

    [Test]
    public async Task ApiReferencePage_LoadsWithoutAnyRequestLeavingThisMachine_AndShowsNoUpsellButtons()
    {
        var page = await NewPageAsync();
        var requests = new System.Collections.Concurrent.ConcurrentQueue<string>();
        page.Request += (_, request) => requests.Enqueue(request.Url);

        await page.GotoAsync($"http://localhost:{_service.Port}/scalar", new() { WaitUntil = WaitUntilState.NetworkIdle });
        await page.GetByText("AcsService administration API").First.WaitForAsync();
        await SaveScreenshotAsync(page, "scalar.png");

        var outside = requests.Where(url => Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
                                            && uri.Host != "localhost" && !uri.Host.EndsWith(".localhost", StringComparison.Ordinal)).ToList();
        Assert.That(requests, Is.Not.Empty);
        Assert.That(outside, Is.Empty, "requests that left localhost: " + string.Join(", ", outside));
        var text = await page.InnerTextAsync("body");
        Assert.That(text, Does.Not.Contain("Open API Client").And.Not.Contain("Ask AI").And.Not.Contain("Generate SDK"));
    }

    [Test]
    public async Task DevelopmentIdpForm_AtPhoneAndDesktopWidth_HasEachLabelDirectlyAboveItsOwnInput()
    {
        foreach (var width in new[] { 375, 1280 })
        {
            var page = await NewPageAsync(width);
            await page.GotoAsync($"{_service.TenantUrl("demo")}/dev/idp");
            foreach (var id in new[] { "email", "firstName", "lastName", "role", "signMode" })
            {
                var label = (await page.Locator($"label[for='{id}']").BoundingBoxAsync())!;
                var input = (await page.Locator($"#{id}").BoundingBoxAsync())!;
                Assert.That(label.Y + label.Height, Is.LessThanOrEqualTo(input.Y + 1), $"{width}px: the label of {id} is not above it");
                Assert.That(input.Y - (label.Y + label.Height), Is.LessThan(16), $"{width}px: the label of {id} is far from it");
                Assert.That(label.X, Is.EqualTo(input.X).Within(2), $"{width}px: the label of {id} is not aligned with it");
            }

            Assert.That(await page.EvaluateAsync<int>("document.documentElement.scrollWidth"), Is.LessThanOrEqualTo(width),
                $"{width}px: the page scrolls sideways");
            await SaveScreenshotAsync(page, $"dev-idp-{width}.png");
        }
    }

    [TestCase("/", "landing")]
    [TestCase("/incidents", "not-found")]
    [TestCase("/sso/saml/consume", "consume-get")]
    [TestCase("/signed-out", "signed-out")]
    public async Task Page_AtPhoneAndDesktopWidth_FitsWithoutSidewaysScrolling(string path, string name)
    {
        foreach (var width in new[] { 375, 1280 })
        {
            var page = await NewPageAsync(width);
            await page.GotoAsync($"{_service.TenantUrl("demo")}{path}");

            Assert.That(await page.EvaluateAsync<int>("document.documentElement.scrollWidth"), Is.LessThanOrEqualTo(width),
                $"{path} at {width}px scrolls sideways");
            Assert.That(await page.Locator("main a[href]").CountAsync(), Is.GreaterThan(0), $"{path} offers no way on");
            Assert.That(await page.EvaluateAsync<string>("getComputedStyle(document.body).fontFamily"), Does.Contain("system-ui"),
                "the stylesheet was applied");
            await SaveScreenshotAsync(page, $"{name}-{width}.png");
        }
    }

    [Test]
    public async Task TamperedSignIn_ErrorPage_AtPhoneWidth_FitsAndOffersToSignInAgain()
    {
        var page = await NewPageAsync(375);
        await page.GotoAsync($"{_service.TenantUrl("demo")}/dev/idp");
        await page.GetByLabel("Tamper with the response after signing").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in again" }).WaitForAsync();

        Assert.That(await page.EvaluateAsync<int>("document.documentElement.scrollWidth"), Is.LessThanOrEqualTo(375));
        await SaveScreenshotAsync(page, "sign-in-failed-375.png");
    }

    private async Task<IPage> NewPageAsync(int width = 1280)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = width < 500 ? 812 : 800 },
        });
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
