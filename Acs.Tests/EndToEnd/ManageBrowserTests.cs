using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Acs.Tests.TestInfrastructure;
using Microsoft.Playwright;

namespace Acs.Tests.EndToEnd;

/// <summary>
/// Entra's tutorial in a real browser, on the company site itself: the operator's setup link, Single Sign-on (SSO
/// Target URL and Certificate, Save configuration), Team Members (Add team member as Client Administrator, Create
/// account), then Test single sign-on through the development IdP, with the result shown on the tab. The SSO Target
/// URL is Entra's; the browser is routed from there to the development IdP on the same site, which answers the
/// request with a signed, Entra-shaped response. Screenshots of each tab, desktop and 375 px wide.
/// </summary>
[NonParallelizable]
[Category("Slow")]
public sealed class ManageBrowserTests
{
    private const string ChromiumPath = "/usr/bin/chromium";
    private const string EntraLoginUrl = "https://login.microsoftonline.com/aaaabbbb-0000-1111-2222-333344445555/saml2";

    private ServiceProcess _service = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private string _keyFile = null!;

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

        _keyFile = Path.Combine(Directory.CreateTempSubdirectory("acs-manage-idp-").FullName, "signing-key.pem");
        _service = await ServiceProcess.StartAsync(await PostgresServer.CreateDatabaseAsync("managebrowser"),
            environment: new Dictionary<string, string> { ["Acs__DevelopmentIdp__KeyFile"] = _keyFile });
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
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

        if (_keyFile is not null)
        {
            Directory.Delete(Path.GetDirectoryName(_keyFile)!, recursive: true);
        }
    }

    [Test]
    public async Task EntraTutorial_SetupLink_SingleSignOn_TeamMember_TestSignsIn_ResultOnTheTab()
    {
        var subdomain = "newco" + Guid.NewGuid().ToString("N")[..6];
        var setupUrl = await CreateTenantWithSetupLinkAsync(subdomain);
        var site = _service.TenantUrl(subdomain);
        var (context, page, cspErrors) = await NewPageAsync(site);

        await page.GotoAsync(setupUrl);
        await page.WaitForURLAsync($"{site}/manage/sso");
        Assert.That(await page.InnerTextAsync(".manage-access"), Does.StartWith("Setup session, ends at"));
        Assert.That(await page.GetByRole(AriaRole.Link, new() { Name = "Single Sign-on" }).GetAttributeAsync("aria-current"), Is.EqualTo("page"));
        Assert.That(await page.InnerTextAsync("#sp-entity-id"), Is.EqualTo($"{site}/"));
        Assert.That(await page.InnerTextAsync("#acs-url"), Is.EqualTo($"{site}/sso/saml/consume"));

        // The copy button's script runs under the CSP (script-src 'self').
        var copy = page.Locator("button[data-copy='acs-url']");
        await copy.ClickAsync();
        await Assertions.Expect(copy).Not.ToHaveTextAsync("Copy");

        // Single Sign-on: paste SSO Target URL and the certificate, as from Entra's SAML Certificates.
        await page.GetByLabel("SSO Target URL").FillAsync(EntraLoginUrl);
        await page.GetByLabel("Microsoft Entra Identifier").FillAsync("urn:acs:development-idp");
        await page.GetByLabel("Certificate", new() { Exact = true }).FillAsync(DevelopmentIdpCertificatePem());
        await page.GetByRole(AriaRole.Button, new() { Name = "Save configuration" }).ClickAsync();
        await page.WaitForURLAsync($"{site}/manage/sso?done=saved");
        Assert.That(await page.InnerTextAsync("main"), Does.Contain("Configuration saved").And.Contain("CN=AcsService Development IdP").And.Contain("active"));
        await ScreenshotBothAsync(context, page, "single-sign-on");

        // Team Members, reached by keyboard: Add team member as Client Administrator, Create account.
        await page.GetByRole(AriaRole.Link, new() { Name = "Team Members" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync($"{site}/manage/members");
        await page.GetByLabel("Email Address").FillAsync("britta.simon@contoso.com");
        await page.GetByLabel("First Name").FillAsync("Britta");
        await page.GetByLabel("Surname").FillAsync("Simon");
        await page.GetByLabel("Role").SelectOptionAsync(new SelectOptionValue { Label = "Client Administrator" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await page.WaitForURLAsync($"{site}/manage/members?done=created");
        var members = await page.InnerTextAsync("table");
        Assert.That(members, Does.Contain("britta.simon@contoso.com").And.Contain("Britta Simon").And.Contain("Client Administrator"));
        await ScreenshotBothAsync(context, page, "team-members");

        // Test single sign-on: to Entra's Login URL, which here hands the request to the development IdP on the site.
        await page.RouteAsync("https://login.microsoftonline.com/**", route => route.FulfillAsync(new RouteFulfillOptions
        {
            Status = 302,
            Headers = new Dictionary<string, string> { ["Location"] = $"{site}/dev/idp" + new Uri(route.Request.Url).Query },
        }));
        await page.GetByRole(AriaRole.Link, new() { Name = "Single Sign-on" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Test single sign-on" }).ClickAsync();
        await page.WaitForURLAsync(url => url.StartsWith($"{site}/dev/idp?SAMLRequest=", StringComparison.Ordinal));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync($"{site}/manage/sso?done=test");
        var result = await page.InnerTextAsync(".test-result");
        Assert.That(result, Does.Contain("Test succeeded: signed in as Britta Simon").And.Contain("britta.simon@contoso.com")
            .And.Contain("Client Administrator"), _service.Output);
        await page.Locator("#test-result").ScrollIntoViewIfNeededAsync();
        await ScreenshotBothAsync(context, page, "single-sign-on-test-succeeded");

        // A tampered response: the test fails, and the tab says why and who fixes it.
        await page.GetByRole(AriaRole.Link, new() { Name = "Test single sign-on" }).ClickAsync();
        await page.WaitForURLAsync(url => url.StartsWith($"{site}/dev/idp?SAMLRequest=", StringComparison.Ordinal));
        await page.GetByLabel("Tamper with the response after signing").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync($"{site}/manage/sso?done=test");
        Assert.That(await page.InnerTextAsync(".test-result"), Does.Contain("Test failed").And.Contain("signature_invalid"));
        await ScreenshotBothAsync(context, page, "single-sign-on-test-failed");

        // Sign-in log: newest first; the failure opens to its message, hint and side.
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign-in log" }).ClickAsync();
        await page.WaitForURLAsync($"{site}/manage/sign-ins");
        var rows = page.Locator("tbody tr");
        Assert.That(await rows.CountAsync(), Is.EqualTo(2));
        Assert.That(await rows.Nth(0).InnerTextAsync(), Does.Contain("failed"));
        Assert.That(await rows.Nth(1).InnerTextAsync(), Does.Contain("signed in").And.Contain("britta.simon@contoso.com"));
        await ScreenshotBothAsync(context, page, "sign-in-log");
        await rows.Nth(0).GetByRole(AriaRole.Link).ClickAsync();
        Assert.That(await page.InnerTextAsync("main"), Does.Contain("signature_invalid").And.Contain("Fix it").And.Contain("Certificate (Base64)"));
        await ScreenshotBothAsync(context, page, "sign-in-log-failure");

        Assert.That(cspErrors, Is.Empty, "no Content-Security-Policy violations");
    }

    [Test]
    public async Task TeamMember_SignedInBySso_SeesWhoCanGrantAccess()
    {
        var (context, page, _) = await NewPageAsync(_service.TenantUrl("demo"));
        var demo = _service.TenantUrl("demo");
        await page.GotoAsync($"{demo}/dev/idp");
        await page.GetByLabel("E-mail").FillAsync("team.member@contoso.com");
        await page.GetByLabel("Role claim").FillAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync($"{demo}/");

        var response = await page.GotoAsync($"{demo}/manage/members");

        Assert.That(response!.Status, Is.EqualTo(403));
        Assert.That(await page.InnerTextAsync("main"), Does.Contain("Only Client Administrators manage this site").And.Contain("setup link"));
        await ScreenshotBothAsync(context, page, "team-member-403");
    }

    private async Task<string> CreateTenantWithSetupLinkAsync(string subdomain)
    {
        using var admin = new HttpClient { BaseAddress = new Uri($"http://localhost:{_service.Port}") };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", AcsApiFactory.AdminApiKey);
        using (var created = await admin.PostAsJsonAsync("/admin/tenants", new { subdomain, displayName = "NewCo Ltd." }))
        {
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
        }

        using var link = await admin.PostAsync(new Uri($"/admin/tenants/{subdomain}/setup-links", UriKind.Relative), null);
        Assert.That(link.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        return JsonDocument.Parse(await link.Content.ReadAsStringAsync()).RootElement.GetProperty("url").GetString()!;
    }

    /// <summary>The development IdP's certificate, as Entra's Certificate (Base64) download would give it.</summary>
    private string DevelopmentIdpCertificatePem()
    {
        var pem = File.ReadAllText(_keyFile);
        const string end = "-----END CERTIFICATE-----";
        return pem[..(pem.IndexOf(end, StringComparison.Ordinal) + end.Length)];
    }

    private async Task<(IBrowserContext Context, IPage Page, List<string> CspErrors)> NewPageAsync(string site)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1280, Height = 900 } });
        await context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = site });
        var page = await context.NewPageAsync();
        var cspErrors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                cspErrors.Add(message.Text);
            }
        };
        return (context, page, cspErrors);
    }

    /// <summary>The page at desktop width and at 375 px, where nothing may scroll sideways but the tables' own wrappers.</summary>
    private static async Task ScreenshotBothAsync(IBrowserContext context, IPage page, string name)
    {
        var folder = Environment.GetEnvironmentVariable("ACS_MANAGE_SCREENSHOTS") ?? Path.Combine(AppContext.BaseDirectory, "screenshots-manage");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, $"{name}-desktop.png"), FullPage = true });
        await page.SetViewportSizeAsync(375, 812);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, $"{name}-375.png"), FullPage = true });
        var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
        var widest = await page.EvaluateAsync<string>(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth && !e.closest('.table-wrap table')).map(e => e.tagName + '.' + e.className + '#' + e.id).join(', ')");
        Assert.That(overflow, Is.LessThanOrEqualTo(0), $"{name}: the page scrolls sideways at 375 px ({widest})");
        await page.SetViewportSizeAsync(1280, 900);
        _ = context;
    }
}
