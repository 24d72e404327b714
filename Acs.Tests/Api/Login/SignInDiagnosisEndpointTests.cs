using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Acs.Core.Diagnosis;
using Acs.Core.Saml.Validation;
using Acs.Testing.TestIdp;
using Acs.Tests.Reliability;
using Acs.Tests.TestInfrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace Acs.Tests.Api.Login;

/// <summary>A refused (or successful) sign-in's diagnosis, end to end: stored with the event, in the admin API, on the error page
/// and in the login log line.</summary>
public sealed class SignInDiagnosisEndpointTests
{
    private AcsTestSite _site = null!;

    [OneTimeSetUp]
    public async Task Start() => _site = await AcsTestSite.StartAsync("diagnosis");

    [OneTimeTearDown]
    public async Task Stop() => await _site.DisposeAsync();

    private static string NewSubdomain() => "t" + Guid.NewGuid().ToString("N")[..12];

    [Test]
    public async Task Consume_SignedWithAnotherSitesCertificate_AdminApiEventNamesTheCauseButNotTheOtherSite()
    {
        var mine = NewSubdomain();
        var theirs = NewSubdomain();
        await _site.CreateTenantAsync(mine);
        await _site.CreateTenantAsync(theirs, keys: TestIdpKeys.Attacker);
        var response = AcsTestSite.ResponseFor(mine);
        response.AssertionSignature = new SignatureOptions { Keys = TestIdpKeys.Attacker };

        using var refused = await AcsTestSite.PostAsync(_site.Browser(mine), response.BuildBase64(), json: true);

        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        var loginEvent = await NewestEventAsync(mine);
        Assert.That(loginEvent.GetProperty("errorCode").GetString(), Is.EqualTo(SamlErrorCodes.CertificateUntrusted));
        Assert.That(loginEvent.GetProperty("expected").GetString(), Is.EqualTo(TestIdpKeys.Default.Trusted.ThumbprintSha256));
        Assert.That(loginEvent.GetProperty("received").GetString(), Is.EqualTo(TestIdpKeys.Attacker.Trusted.ThumbprintSha256));
        var diagnosis = loginEvent.GetProperty("diagnosis");
        Assert.That(diagnosis.GetProperty("cause").GetString(), Is.EqualTo(DiagnosisCauses.CertificateOfAnotherSite));
        Assert.That(diagnosis.GetProperty("fix").GetString(), Is.EqualTo(DiagnosisFixes.Service));
        Assert.That(diagnosis.GetProperty("advice").GetString(), Does.Contain("trusted by another site of this service").And.Not.Contain(theirs));
    }

    [Test]
    public async Task Consume_SignedWithACertificateNoSiteTrusts_AdminApiEventSaysTheIdpRolledItsCertificate()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);
        var response = AcsTestSite.ResponseFor(subdomain);
        response.AssertionSignature = new SignatureOptions { Keys = TestIdpKeys.CreateRsa("Rolled Entra certificate") };

        using var refused = await AcsTestSite.PostAsync(_site.Browser(subdomain), response.BuildBase64(), json: true);

        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        var diagnosis = (await NewestEventAsync(subdomain)).GetProperty("diagnosis");
        Assert.That(diagnosis.GetProperty("cause").GetString(), Is.EqualTo(DiagnosisCauses.IdpCertificateRolled));
    }

    [Test]
    public async Task Consume_WithApplicationIdAsAudience_ErrorPageShowsTheDiagnosisToTheAdministrator()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);
        var response = AcsTestSite.ResponseFor(subdomain);
        response.Audience = "spn:3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";

        using var page = await AcsTestSite.PostAsync(_site.Browser(subdomain), response.BuildBase64());

        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(page.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
        var html = await page.Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain("Likely cause").And.Contain($"<code>{DiagnosisCauses.AudienceIsApplicationId}</code>")
            .And.Contain("to fix in the identity provider").And.Contain("3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d").And.Contain("Identifier (Entity ID)"));
        var diagnosis = (await NewestEventAsync(subdomain)).GetProperty("diagnosis");
        Assert.That(diagnosis.GetProperty("cause").GetString(), Is.EqualTo(DiagnosisCauses.AudienceIsApplicationId));
    }

    [Test]
    public async Task Consume_WithPlainWrongAudience_ErrorPageAndEventCarryNoDiagnosis()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);
        var response = AcsTestSite.ResponseFor(subdomain);
        response.Audience = "https://wrong.example.com/";

        using var page = await AcsTestSite.PostAsync(_site.Browser(subdomain), response.BuildBase64());

        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await page.Content.ReadAsStringAsync(), Does.Not.Contain("Likely cause"));
        var loginEvent = await NewestEventAsync(subdomain);
        Assert.That(loginEvent.GetProperty("errorCode").GetString(), Is.EqualTo(SamlErrorCodes.AudienceMismatch));
        Assert.That(loginEvent.GetProperty("diagnosis").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public async Task Consume_SuccessfulSignInWithGroupOverage_FlagsTheOverageOnTheSuccessEvent()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);
        var response = AcsTestSite.ResponseFor(subdomain);
        response.Attributes.Add(new(SignInDiagnoser.EntraGroupsLinkClaim, "https://graph.windows.net/x/users/y/getMemberObjects"));

        using var signedIn = await AcsTestSite.PostAsync(_site.Browser(subdomain), response.BuildBase64());

        AcsTestSite.AssertSeeOther(signedIn, "/");
        var loginEvent = await NewestEventAsync(subdomain);
        Assert.That(loginEvent.GetProperty("outcome").GetString(), Is.EqualTo("success"));
        Assert.That(loginEvent.GetProperty("diagnosis").GetProperty("cause").GetString(), Is.EqualTo(DiagnosisCauses.EntraGroupsOverage));
    }

    [Test]
    public async Task Consume_RefusedWithADiagnosis_LogLineNamesTheCause()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);
        var response = AcsTestSite.ResponseFor(subdomain);
        response.Audience = "spn:3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
        var logs = new CapturingLoggerProvider("cause=" + DiagnosisCauses.AudienceIsApplicationId);
        await using var logged = _site.Factory.WithWebHostBuilder(web => web.ConfigureLogging(logging => logging.AddProvider(logs)));
        using var browser = logged.CreateClient(new WebApplicationFactoryClientOptions
        {
            BaseAddress = new Uri(AcsTestSite.SiteUrl(subdomain)),
            AllowAutoRedirect = false,
        });

        using var refused = await AcsTestSite.PostAsync(browser, response.BuildBase64(), json: true);

        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(logs.Leaks, Has.Some.Contain("code=" + SamlErrorCodes.AudienceMismatch).And.Some.Contain(subdomain));
    }

    private async Task<JsonElement> NewestEventAsync(string subdomain)
    {
        using var admin = _site.Factory.CreateAdminClient();
        var events = await admin.GetFromJsonAsync<JsonElement>($"/admin/tenants/{subdomain}/login-events?limit=1");
        Assert.That(events.GetArrayLength(), Is.EqualTo(1), "no event recorded");
        return events[0];
    }
}
