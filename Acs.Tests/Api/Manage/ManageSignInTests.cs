using System.Net;
using System.Web;
using Acs.Core.Members;
using Acs.Testing.TestIdp;
using Acs.Tests.TestInfrastructure;

namespace Acs.Tests.Api.Manage;

/// <summary>The Sign-in log tab, and the Single Sign-on tab's test sign-in that comes back with its result.</summary>
public sealed class ManageSignInTests
{
    private AcsTestSite _site = null!;

    [OneTimeSetUp]
    public async Task Start() => _site = await AcsTestSite.StartAsync("managesignins");

    [OneTimeTearDown]
    public async Task Stop() => await _site.DisposeAsync();

    private static string NewSubdomain() => "s" + Guid.NewGuid().ToString("N")[..10];

    [Test]
    public async Task SignInLog_ShowsNewestFirst_AndAFailureOpensToItsHintAndSide()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);
        await AcsTestSite.PostAsync(_site.Browser(subdomain), AcsTestSite.ResponseFor(subdomain, email: "first@contoso.test").BuildBase64());
        _site.Factory.Clock.Advance(TimeSpan.FromSeconds(1));
        var wrongAudience = AcsTestSite.ResponseFor(subdomain, email: "second@contoso.test");
        wrongAudience.Audience = "https://someone-else.example/";
        await AcsTestSite.PostAsync(_site.Browser(subdomain), wrongAudience.BuildBase64());
        using var browser = await ManageTestSite.SetupBrowserAsync(_site, subdomain);

        var (status, html) = await ManageTestSite.GetAsync(browser, "/manage/sign-ins");

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(html.IndexOf("audience_mismatch", StringComparison.Ordinal), Is.LessThan(html.IndexOf("first@contoso.test", StringComparison.Ordinal)),
            "newest first");
        Assert.That(html, Does.Not.Contain("SAMLResponse").And.Not.Contain("<saml"), "nothing of the SAML message");
        var failureId = System.Text.RegularExpressions.Regex.Match(html, "href=\"/manage/sign-ins/([0-9a-f-]{36})\"").Groups[1].Value;

        var (detailStatus, detail) = await ManageTestSite.GetAsync(browser, "/manage/sign-ins/" + failureId);
        Assert.That(detailStatus, Is.EqualTo(HttpStatusCode.OK));
        var text = WebUtility.HtmlDecode(detail);
        Assert.That(text, Does.Contain("audience_mismatch").And.Contain($"https://{subdomain}.statuspage.io/").And.Contain("https://someone-else.example/")
            .And.Contain("In Entra, set Identifier").And.Contain("in Microsoft Entra ID"));
        Assert.That(text, Does.Contain("Expected").And.Contain("Received"));
    }

    [Test]
    public async Task SignInLog_FailureWithAKnownCause_ShowsItsDiagnosis()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);
        var applicationId = AcsTestSite.ResponseFor(subdomain);
        applicationId.Audience = "spn:3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
        await AcsTestSite.PostAsync(_site.Browser(subdomain), applicationId.BuildBase64());
        using var browser = await ManageTestSite.SetupBrowserAsync(_site, subdomain);
        var (_, html) = await ManageTestSite.GetAsync(browser, "/manage/sign-ins");
        var failureId = System.Text.RegularExpressions.Regex.Match(html, "href=\"/manage/sign-ins/([0-9a-f-]{36})\"").Groups[1].Value;

        var (status, detail) = await ManageTestSite.GetAsync(browser, "/manage/sign-ins/" + failureId);

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(WebUtility.HtmlDecode(detail), Does.Contain("Likely cause")
            .And.Contain($"<code>{Acs.Core.Diagnosis.DiagnosisCauses.AudienceIsApplicationId}</code>"));
    }

    [Test]
    public async Task SignInLog_FiltersByOutcomeAndPerson()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);
        await AcsTestSite.PostAsync(_site.Browser(subdomain), AcsTestSite.ResponseFor(subdomain, email: "alice@contoso.test", objectId: "oid-a").BuildBase64());
        await AcsTestSite.PostAsync(_site.Browser(subdomain), AcsTestSite.ResponseFor(subdomain, email: "bob@contoso.test", objectId: "oid-b").BuildBase64());
        var expired = AcsTestSite.ResponseFor(subdomain, email: "bob@contoso.test", objectId: "oid-b");
        expired.NotOnOrAfter = TestResponseBuilder.Now.AddHours(-2);
        await AcsTestSite.PostAsync(_site.Browser(subdomain), expired.BuildBase64());
        using var browser = await ManageTestSite.SetupBrowserAsync(_site, subdomain);

        var (_, failures) = await ManageTestSite.GetAsync(browser, "/manage/sign-ins?outcome=failure");
        var (_, alice) = await ManageTestSite.GetAsync(browser, "/manage/sign-ins?person=ALICE");

        Assert.That(failures, Does.Contain("bob@contoso.test").And.Not.Contain("alice@contoso.test"));
        Assert.That(failures, Does.Contain("<option value=\"failure\" selected"));
        Assert.That(alice, Does.Contain("alice@contoso.test").And.Not.Contain("bob@contoso.test"));
    }

    [Test]
    public async Task SignInEvent_OfAnotherTenant_Is404()
    {
        var owner = NewSubdomain();
        await _site.CreateTenantAsync(owner);
        await AcsTestSite.PostAsync(_site.Browser(owner), AcsTestSite.ResponseFor(owner, email: "secret@contoso.test").BuildBase64());
        using var ownerBrowser = await ManageTestSite.SetupBrowserAsync(_site, owner);
        var (_, ownerLog) = await ManageTestSite.GetAsync(ownerBrowser, "/manage/sign-ins");
        var eventId = System.Text.RegularExpressions.Regex.Match(ownerLog, "href=\"/manage/sign-ins/([0-9a-f-]{36})\"").Groups[1].Value;

        var other = NewSubdomain();
        await _site.CreateTenantAsync(other);
        using var otherBrowser = await ManageTestSite.SetupBrowserAsync(_site, other);
        var (status, html) = await ManageTestSite.GetAsync(otherBrowser, "/manage/sign-ins/" + eventId);
        var (_, otherLog) = await ManageTestSite.GetAsync(otherBrowser, "/manage/sign-ins");

        Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(html, Does.Not.Contain("secret@contoso.test"));
        Assert.That(otherLog, Does.Not.Contain("secret@contoso.test"));
    }

    /// <summary>Presses Test single sign-on and returns the request ID the IdP is asked to answer.</summary>
    private static async Task<string> StartTestAsync(HttpClient browser)
    {
        using var started = await browser.GetAsync(new Uri("/manage/sso/test", UriKind.Relative));
        Assert.That(started.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var location = started.Headers.Location!;
        Assert.That(location.GetLeftPart(UriPartial.Path), Is.EqualTo("https://login.microsoftonline.com/" + TestResponseBuilder.EntraTenantId + "/saml2"));
        return HttpUtility.ParseQueryString(location.Query)["RelayState"]!;
    }

    [Test]
    public async Task TestSingleSignOn_ThatSucceeds_ComesBackToTheTabWithWhomAndWhichRole()
    {
        var subdomain = NewSubdomain();
        var tenantId = await _site.CreateTenantAsync(subdomain, withSso: false);
        using var browser = await ManageTestSite.SetupBrowserAsync(_site, subdomain);
        await _site.CreateMemberAsync(tenantId, "britta.simon@contoso.test", MemberRoles.ClientAdministrator);
        using (var saved = await AcsTestSite.SubmitFormAsync(browser, "/manage/sso", "/manage/sso", [
            new("ssoTargetUrl", "https://login.microsoftonline.com/" + TestResponseBuilder.EntraTenantId + "/saml2"),
            new("idpEntityId", TestResponseBuilder.IdpEntityId), new("certificate", TestIdpKeys.Default.Certificate.ExportCertificatePem())]))
        {
            AcsTestSite.AssertSeeOther(saved, "/manage/sso?done=saved");
        }

        var requestId = await StartTestAsync(browser);
        var response = AcsTestSite.ResponseFor(subdomain, email: "britta.simon@contoso.test", givenName: "Britta", surname: "Simon");
        response.ResponseInResponseTo = requestId;
        response.ConfirmationInResponseTo = requestId;
        using var consumed = await AcsTestSite.PostAsync(browser, response.BuildBase64(), relayState: requestId);

        AcsTestSite.AssertSeeOther(consumed, "/manage/sso?done=test");
        var (_, html) = await ManageTestSite.GetAsync(browser, "/manage/sso?done=test");
        Assert.That(html, Does.Contain("Test succeeded: signed in as Britta Simon").And.Contain("britta.simon@contoso.test").And.Contain("Client Administrator"));
    }

    [Test]
    public async Task TestSingleSignOn_ThatFails_ComesBackToTheTabWithCodeAndSideToFix()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain, keys: TestIdpKeys.CreateRsa("Old Entra Certificate"));
        using var browser = await ManageTestSite.SetupBrowserAsync(_site, subdomain);

        var requestId = await StartTestAsync(browser);
        var response = AcsTestSite.ResponseFor(subdomain);
        response.ResponseInResponseTo = requestId;
        response.ConfirmationInResponseTo = requestId;
        using var consumed = await AcsTestSite.PostAsync(browser, response.BuildBase64(), relayState: requestId);

        AcsTestSite.AssertSeeOther(consumed, "/manage/sso?done=test");
        var html = WebUtility.HtmlDecode((await ManageTestSite.GetAsync(browser, "/manage/sso?done=test")).Html);
        Assert.That(html, Does.Contain("Test failed").And.Contain("certificate_untrusted").And.Contain("here, on this site")
            .And.Contain("Certificate (Base64)"));
    }

    [Test]
    public async Task FailedSignIn_WithoutATestStarted_StillShowsTheErrorPage()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain, keys: TestIdpKeys.CreateRsa("Old Entra Certificate"));

        using var consumed = await AcsTestSite.PostAsync(_site.Browser(subdomain), AcsTestSite.ResponseFor(subdomain).BuildBase64());

        Assert.That(consumed.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }
}
