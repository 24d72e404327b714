using System.Net;
using System.Net.Http.Headers;
using Acs.Tests.TestInfrastructure;

namespace Acs.Tests.Api.Pages;

/// <summary>A browser always gets a page with a way on; API clients keep problem details.</summary>
public sealed class ErrorPageTests
{
    private AcsTestSite _site = null!;

    [OneTimeSetUp]
    public async Task Start() => _site = await AcsTestSite.StartAsync("errorpages");

    [OneTimeTearDown]
    public async Task Stop() => await _site.DisposeAsync();

    private static string NewSubdomain() => "e" + Guid.NewGuid().ToString("N")[..10];

    [Test]
    public async Task SignInReturningToAPathThisServiceDoesNotHave_ShowsABrowserAPageNotFoundWithWaysOn()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);
        using var browser = _site.Browser(subdomain);
        using var signIn = await AcsTestSite.PostAsync(browser, AcsTestSite.ResponseFor(subdomain).BuildBase64(), relayState: "/incidents");
        AcsTestSite.AssertSeeOther(signIn, "/incidents");

        using var page = await SendAsync(browser, HttpMethod.Get, "/incidents", "text/html,application/xhtml+xml,*/*;q=0.8");

        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(page.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
        var html = await page.Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain("Page not found").And.Contain("/incidents"));
        Assert.That(html, Does.Contain("href=\"/sso/saml/login?returnTo=%2F\"").And.Contain("href=\"/\""));
        Assert.That(page.Headers.GetValues("Content-Security-Policy").Single(), Does.Contain("frame-ancestors 'none'"));
    }

    [Test]
    public async Task UnknownPath_ForAJsonClient_StaysProblemDetails()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);

        using var response = await SendAsync(_site.Browser(subdomain), HttpMethod.Get, "/incidents", "application/json");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("\"status\":404"));
    }

    [Test]
    public async Task UnknownPath_OnAnUnknownSubdomain_IsSiteNotFoundForABrowser()
    {
        using var response = await SendAsync(_site.Browser("nosuchcompany"), HttpMethod.Get, "/incidents", "text/html");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var html = await response.Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain("Site not found").And.Contain("href=\"https://statuspage.io/\""));
    }

    [Test]
    public async Task WrongMethod_ForABrowser_IsA405PageWithWaysOn()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);

        using var response = await SendAsync(_site.Browser(subdomain), HttpMethod.Delete, "/", "text/html");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
        var html = await response.Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain("Not available this way").And.Contain("href=\"/\""));
    }

    [Test]
    public async Task GetOnTheAcsUrl_InABrowser_ExplainsTheAddressAndOffersToStartSigningIn()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);

        using var response = await SendAsync(_site.Browser(subdomain), HttpMethod.Get, "/sso/saml/consume", "text/html");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
        Assert.That(response.Content.Headers.Allow, Is.EquivalentTo(new[] { "POST" }));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
        var html = await response.Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain("This address receives sign-ins").And.Contain("identity provider"));
        Assert.That(html, Does.Contain("<a class=\"button\" href=\"/sso/saml/login?returnTo=%2F\">Start signing in</a>"));
    }

    [Test]
    public async Task GetOnTheAcsUrl_ForAJsonClient_IsA405Problem()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);

        using var response = await SendAsync(_site.Browser(subdomain), HttpMethod.Get, "/sso/saml/consume", "application/json");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("consume_needs_post"));
    }

    [Test]
    public async Task RefusedSignIn_Page_OffersToSignInAgain_AndSaysWhichSideFixesIt()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain, jit: false);

        using var response = await AcsTestSite.PostAsync(_site.Browser(subdomain), AcsTestSite.ResponseFor(subdomain).BuildBase64());

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        var html = await response.Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain("member_unknown"));
        Assert.That(html, Does.Contain("href=\"/sso/saml/login?returnTo=%2F\">Sign in again</a>").And.Contain("href=\"/\">Site home</a>"));
        Assert.That(html, Does.Contain("Fix this on this site"));
    }

    [Test]
    public async Task RefusedSignIn_CausedByTheIdp_SaysToFixItInTheIdentityProvider()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);
        var response = AcsTestSite.ResponseFor(subdomain);
        response.Audience = "https://someone-else.example/";

        using var posted = await AcsTestSite.PostAsync(_site.Browser(subdomain), response.BuildBase64());

        var html = await posted.Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain("audience_mismatch").And.Contain("Fix this in the company&#x27;s identity provider"));
    }

    [Test]
    public async Task SignOut_LandsOnASignedOutPage_ThatSaysWhatEndedAndOffersToSignInAgain()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);
        using var browser = _site.Browser(subdomain);
        await AcsTestSite.PostAsync(browser, AcsTestSite.ResponseFor(subdomain).BuildBase64());

        using var logout = await AcsTestSite.SubmitFormAsync(browser, "/", "/logout");
        var html = await browser.GetStringAsync(logout.Headers.Location);

        var displayName = char.ToUpperInvariant(subdomain[0]) + subdomain[1..] + " Inc.";
        Assert.That(html, Does.Contain($"You are signed out of {displayName} on this site"));
        Assert.That(html, Does.Contain("still signed in to your company account"));
        Assert.That(html, Does.Contain("href=\"/sso/saml/login?returnTo=%2F\">Sign in again</a>"));
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string accept)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Accept.Clear();
        foreach (var type in accept.Split(','))
        {
            request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse(type));
        }

        return await client.SendAsync(request);
    }
}
