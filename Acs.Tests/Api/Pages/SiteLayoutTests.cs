using System.Net;
using System.Text.RegularExpressions;
using Acs.Tests.TestInfrastructure;

namespace Acs.Tests.Api.Pages;

/// <summary>Every page is rendered into the one layout, styled only by the served stylesheet the CSP allows.</summary>
public sealed partial class SiteLayoutTests
{
    private AcsTestSite _site = null!;

    [OneTimeSetUp]
    public async Task Start() => _site = await AcsTestSite.StartAsync("layout");

    [OneTimeTearDown]
    public async Task Stop() => await _site.DisposeAsync();

    [Test]
    public async Task Landing_IsRenderedInTheLayout_WithTheTenantNameInHeaderAndTitle()
    {
        await _site.CreateTenantAsync("layouted");

        using var response = await _site.Browser("layouted").GetAsync(new Uri("/", UriKind.Relative));
        var html = await response.Content.ReadAsStringAsync();

        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
        Assert.That(html, Does.StartWith("<!DOCTYPE html>"));
        Assert.That(html, Does.Contain("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"));
        Assert.That(html, Does.Contain("<title>Sign in | Layouted Inc.</title>"));
        Assert.That(html, Does.Contain("<header class=\"site-header\">").And.Contain("<main>").And.Contain("<footer"));
        Assert.That(html, Does.Not.Contain("<style").And.Not.Contain("style=\""), "the CSP allows no inline styles");
    }

    [Test]
    public async Task Stylesheet_LinkedByThePage_IsServedAsCss_AndAllowedByTheCsp()
    {
        await _site.CreateTenantAsync("styled");
        using var browser = _site.Browser("styled");

        using var page = await browser.GetAsync(new Uri("/", UriKind.Relative));
        var href = StylesheetLink().Match(await page.Content.ReadAsStringAsync()).Groups[1].Value;
        using var css = await browser.GetAsync(new Uri(href, UriKind.Relative));

        Assert.That(href, Does.StartWith("/assets/site.css?v="));
        Assert.That(css.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(css.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/css"));
        Assert.That(await css.Content.ReadAsStringAsync(), Does.Contain("main {"));
        var csp = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.That(csp, Does.Contain("style-src 'self'").And.Not.Contain("unsafe-inline"));
    }

    [GeneratedRegex("<link rel=\"stylesheet\" href=\"([^\"]+)\"")]
    private static partial Regex StylesheetLink();
}
