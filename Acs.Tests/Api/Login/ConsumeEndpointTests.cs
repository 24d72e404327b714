using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Xml;
using Acs.Core.Login;
using Acs.Core.Members;
using Acs.Core.Saml.Validation;
using Acs.Testing.TestIdp;
using Acs.Tests.TestInfrastructure;

namespace Acs.Tests.Api.Login;

/// <summary>The ACS through the real HTTP pipeline and database: sign-in, JIT provisioning, refusals and their event log.</summary>
public sealed class ConsumeEndpointTests
{
    private AcsTestSite _site = null!;

    [OneTimeSetUp]
    public async Task Start() => _site = await AcsTestSite.StartAsync("consume");

    [OneTimeTearDown]
    public async Task Stop() => await _site.DisposeAsync();

    private static string NewSubdomain() => "t" + Guid.NewGuid().ToString("N")[..12];

    [Test]
    public async Task Consume_WithValidEntraResponse_RedirectsWithSessionCookieAndMeShowsClaims()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);
        using var browser = _site.Browser(subdomain);

        using var response = await AcsTestSite.PostAsync(browser, AcsTestSite.ResponseFor(subdomain, givenName: "Britta", surname: "Simon").BuildBase64());

        AcsTestSite.AssertSeeOther(response, "/");
        var cookie = response.Headers.GetValues("Set-Cookie").Single();
        Assert.That(cookie, Does.StartWith("__Host-acs_session=").And.Contain("httponly").IgnoreCase.And.Contain("secure").IgnoreCase
            .And.Contain("samesite=lax").IgnoreCase.And.Contain("path=/"));
        var me = await browser.GetFromJsonAsync<JsonElement>("/api/me");
        Assert.That(me.GetProperty("email").GetString(), Is.EqualTo("jane.doe@contoso.test"));
        Assert.That(me.GetProperty("firstName").GetString(), Is.EqualTo("Britta"));
        Assert.That(me.GetProperty("lastName").GetString(), Is.EqualTo("Simon"));
        Assert.That(me.GetProperty("role").GetString(), Is.EqualTo(MemberRoles.TeamMember));
        Assert.That(me.GetProperty("tenant").GetString(), Is.EqualTo(subdomain));
    }

    [Test]
    public async Task Consume_SecondLogin_UpdatesNamesAndKeepsOneMember()
    {
        var subdomain = NewSubdomain();
        var tenant = await _site.CreateTenantAsync(subdomain);
        using var browser = _site.Browser(subdomain);

        await AcsTestSite.PostAsync(browser, AcsTestSite.ResponseFor(subdomain, givenName: "Jane", surname: "Doe").BuildBase64());
        using var second = await AcsTestSite.PostAsync(browser, AcsTestSite.ResponseFor(subdomain, email: "jane.smith@contoso.test",
            givenName: "Jane", surname: "Smith").BuildBase64());

        AcsTestSite.AssertSeeOther(second, "/");
        var me = await browser.GetFromJsonAsync<JsonElement>("/api/me");
        Assert.That(me.GetProperty("lastName").GetString(), Is.EqualTo("Smith"));
        Assert.That(me.GetProperty("email").GetString(), Is.EqualTo("jane.smith@contoso.test"));
        Assert.That(await _site.CountAsync("SELECT count(*) FROM members WHERE tenant_id = @tenant", new { tenant }), Is.EqualTo(1));
    }

    [Test]
    public async Task Consume_ForAdminCreatedMember_LinksThemByEmailCaseInsensitively()
    {
        var subdomain = NewSubdomain();
        var tenant = await _site.CreateTenantAsync(subdomain);
        var memberId = await _site.CreateMemberAsync(tenant, "Jane.Doe@Contoso.test", MemberRoles.ClientAdministrator);
        using var browser = _site.Browser(subdomain);

        using var response = await AcsTestSite.PostAsync(browser, AcsTestSite.ResponseFor(subdomain, objectId: "oid-linked").BuildBase64());

        AcsTestSite.AssertSeeOther(response, "/");
        var me = await browser.GetFromJsonAsync<JsonElement>("/api/me");
        Assert.That(me.GetProperty("memberId").GetGuid(), Is.EqualTo(memberId));
        Assert.That(me.GetProperty("role").GetString(), Is.EqualTo(MemberRoles.ClientAdministrator));
        Assert.That(await _site.CountAsync(
            "SELECT count(*) FROM members WHERE id = @memberId AND created_via = 'admin' AND idp_subject = 'oid-linked'", new { memberId }), Is.EqualTo(1));
    }

    [Test]
    public async Task Consume_WithJitOffAndUnknownPerson_IsRefusedAsMemberUnknown()
    {
        var subdomain = NewSubdomain();
        var tenant = await _site.CreateTenantAsync(subdomain, jit: false);

        using var response = await AcsTestSite.PostAsync(_site.Browser(subdomain), AcsTestSite.ResponseFor(subdomain).BuildBase64(), json: true);

        await AssertProblem(response, HttpStatusCode.Forbidden, LoginErrorCodes.MemberUnknown);
        Assert.That(await _site.CountAsync("SELECT count(*) FROM members WHERE tenant_id = @tenant", new { tenant }), Is.Zero);
        Assert.That(await _site.CountAsync("SELECT count(*) FROM consumed_assertions WHERE tenant_id = @tenant", new { tenant }), Is.Zero);
    }

    [Test]
    public async Task Consume_ForDisabledMember_IsRefusedAndOpensNoSession()
    {
        var subdomain = NewSubdomain();
        var tenant = await _site.CreateTenantAsync(subdomain);
        await _site.CreateMemberAsync(tenant, "jane.doe@contoso.test", status: MemberStatuses.Disabled);
        using var browser = _site.Browser(subdomain);

        using var response = await AcsTestSite.PostAsync(browser, AcsTestSite.ResponseFor(subdomain).BuildBase64(), json: true);

        await AssertProblem(response, HttpStatusCode.Forbidden, LoginErrorCodes.MemberDisabled);
        Assert.That(response.Headers.Contains("Set-Cookie"), Is.False);
        Assert.That(await _site.CountAsync("SELECT count(*) FROM sessions WHERE tenant_id = @tenant", new { tenant }), Is.Zero);
    }

    [Test]
    public async Task Consume_WithEmailOutsideAllowedDomains_IsRefused()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain, allowedDomains: ["acme.example"]);

        using var refused = await AcsTestSite.PostAsync(_site.Browser(subdomain), AcsTestSite.ResponseFor(subdomain).BuildBase64(), json: true);
        using var allowed = await AcsTestSite.PostAsync(_site.Browser(subdomain),
            AcsTestSite.ResponseFor(subdomain, email: "ann@ACME.example", objectId: "oid-ann").BuildBase64());

        await AssertProblem(refused, HttpStatusCode.Forbidden, LoginErrorCodes.EmailDomainNotAllowed);
        AcsTestSite.AssertSeeOther(allowed, "/");
    }

    [Test]
    public async Task Consume_WithMappedRoleClaim_CreatesMemberWithMappedRole()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain, roleMappingsJson: """{"StatusAdmins":"client_administrator"}""");
        var response = AcsTestSite.ResponseFor(subdomain);
        response.Attributes.Add(new(TestResponseBuilder.ClaimRole, "Readers"));
        response.Attributes.Add(new(TestResponseBuilder.ClaimRole, "StatusAdmins"));
        using var browser = _site.Browser(subdomain);

        await AcsTestSite.PostAsync(browser, response.BuildBase64());

        var me = await browser.GetFromJsonAsync<JsonElement>("/api/me");
        Assert.That(me.GetProperty("role").GetString(), Is.EqualTo(MemberRoles.ClientAdministrator));
    }

    [Test]
    public async Task Consume_WithoutRoleClaim_UsesTenantDefaultRole()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain, defaultRole: MemberRoles.ClientAdministrator);
        using var browser = _site.Browser(subdomain);

        await AcsTestSite.PostAsync(browser, AcsTestSite.ResponseFor(subdomain).BuildBase64());

        var me = await browser.GetFromJsonAsync<JsonElement>("/api/me");
        Assert.That(me.GetProperty("role").GetString(), Is.EqualTo(MemberRoles.ClientAdministrator));
    }

    [Test]
    public async Task Consume_SameResponseTwice_IsRefusedAsReplayed()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);
        var posted = AcsTestSite.ResponseFor(subdomain).BuildBase64();

        using var first = await AcsTestSite.PostAsync(_site.Browser(subdomain), posted);
        using var second = await AcsTestSite.PostAsync(_site.Browser(subdomain), posted, json: true);

        AcsTestSite.AssertSeeOther(first, "/");
        await AssertProblem(second, HttpStatusCode.Forbidden, LoginErrorCodes.AssertionReplayed);
    }

    [Test]
    public async Task Consume_TwentyParallelPostsOfOneResponse_SucceedExactlyOnce()
    {
        var subdomain = NewSubdomain();
        var tenant = await _site.CreateTenantAsync(subdomain);
        var posted = AcsTestSite.ResponseFor(subdomain).BuildBase64();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => AcsTestSite.PostAsync(_site.Browser(subdomain), posted)));

        Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.SeeOther), Is.EqualTo(1));
        Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.Forbidden), Is.EqualTo(19));
        Assert.That(await _site.CountAsync("SELECT count(*) FROM sessions WHERE tenant_id = @tenant", new { tenant }), Is.EqualTo(1));
        Assert.That(await _site.CountAsync(
            "SELECT count(*) FROM login_events WHERE tenant_id = @tenant AND error_code = 'assertion_replayed'", new { tenant }), Is.EqualTo(19));
    }

    [Test]
    public async Task Consume_TwentyParallelFirstLoginsOfOnePerson_CreateOneMember()
    {
        var subdomain = NewSubdomain();
        var tenant = await _site.CreateTenantAsync(subdomain);
        var posts = Enumerable.Range(0, 20).Select(_ => AcsTestSite.ResponseFor(subdomain).BuildBase64()).ToList();

        var responses = await Task.WhenAll(posts.Select(p => AcsTestSite.PostAsync(_site.Browser(subdomain), p)));

        Assert.That(responses.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.SeeOther));
        Assert.That(await _site.CountAsync("SELECT count(*) FROM members WHERE tenant_id = @tenant", new { tenant }), Is.EqualTo(1));
        Assert.That(await _site.CountAsync("SELECT count(*) FROM sessions WHERE tenant_id = @tenant", new { tenant }), Is.EqualTo(20));
    }

    [Test]
    public async Task Consume_AcmeResponsePostedToGlobex_IsRefused()
    {
        var acme = NewSubdomain();
        var globex = NewSubdomain();
        await _site.CreateTenantAsync(acme);
        var globexId = await _site.CreateTenantAsync(globex);

        using var response = await AcsTestSite.PostAsync(_site.Browser(globex), AcsTestSite.ResponseFor(acme).BuildBase64(), json: true);

        await AssertProblem(response, HttpStatusCode.Forbidden, SamlErrorCodes.DestinationMismatch);
        Assert.That(await _site.CountAsync("SELECT count(*) FROM members WHERE tenant_id = @globexId", new { globexId }), Is.Zero);
    }

    [Test]
    public async Task Consume_SignedByCertificateOfAnotherTenantsIdp_IsRefused()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);
        var response = AcsTestSite.ResponseFor(subdomain);
        response.Signature = new SignatureOptions { Keys = TestIdpKeys.Attacker };

        using var posted = await AcsTestSite.PostAsync(_site.Browser(subdomain), response.BuildBase64(), json: true);

        await AssertProblem(posted, HttpStatusCode.Forbidden, SamlErrorCodes.CertificateUntrusted);
    }

    [TestCase("/status/incidents?page=2", "/status/incidents?page=2")]
    [TestCase("/", "/")]
    [TestCase("//evil.example/phish", "/")]
    [TestCase("/\\evil.example", "/")]
    [TestCase("https://evil.example/", "/")]
    [TestCase("javascript:alert(1)", "/")]
    [TestCase("incidents", "/")]
    [TestCase("", "/")]
    [TestCase("/incidents/café", "/incidents/caf%C3%A9")]
    [TestCase("/状态?q=ü", "/%E7%8A%B6%E6%80%81?q=%C3%BC")]
    [TestCase("/a b\"<x>`{|}^", "/a%20b%22%3Cx%3E%60%7B%7C%7D%5E")]
    [TestCase("/100%", "/100%25")]
    [TestCase("/100%zz", "/100%25zz")]
    [TestCase("/caf%C3%A9", "/caf%C3%A9")]
    [TestCase("/%2F%2Fevil.example", "/%2F%2Fevil.example")]
    [TestCase("/%5Cevil.example", "/%5Cevil.example")]
    [TestCase("/%0D%0ASet-Cookie:%20x=y", "/%0D%0ASet-Cookie:%20x=y")]
    [TestCase("/incidents\r\nSet-Cookie: x=y", "/")]
    [TestCase("/incidents\nLocation: https://evil.example/", "/")]
    [TestCase("/a\u0001b", "/")]
    [TestCase("/a\u007Fb", "/")]
    [TestCase("/a\u0085b", "/")]
    [TestCase("\t//evil.example", "/")]
    [TestCase("/\t/evil.example", "/")]
    [TestCase(" /incidents", "/")]
    [TestCase("/incidents\\..\\x", "/")]
    [TestCase("\\\\evil.example", "/")]
    [TestCase("/\u2028x", "/%E2%80%A8x")]
    [TestCase("/\u200Bx", "/%E2%80%8Bx")]
    public async Task Consume_WithRelayState_RedirectsOnlyToPathsOnTheSameSite(string relayState, string expectedLocation)
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);

        using var response = await AcsTestSite.PostAsync(_site.Browser(subdomain), AcsTestSite.ResponseFor(subdomain).BuildBase64(), relayState);

        AcsTestSite.AssertSeeOther(response, expectedLocation);
    }

    [Test]
    public async Task Consume_WithRelayStateOfManyNonAsciiCharacters_RedirectsToAnAsciiLocalPath()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);

        using var response = await AcsTestSite.PostAsync(_site.Browser(subdomain), AcsTestSite.ResponseFor(subdomain).BuildBase64(),
            "/" + new string('€', 1000));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        var location = response.Headers.Location!.OriginalString;
        Assert.That(location, Does.StartWith("/"));
        Assert.That(location.All(c => c is > ' ' and < '\u007F'), Is.True, location);
    }

    [Test]
    public async Task Consume_WithNonAsciiRelayState_SignsInOnceAndTheReplayIsRefused()
    {
        // The redirect is written after the sign-in committed: it must never fail there.
        var subdomain = NewSubdomain();
        var tenant = await _site.CreateTenantAsync(subdomain);
        var posted = AcsTestSite.ResponseFor(subdomain).BuildBase64();
        using var browser = _site.Browser(subdomain);

        using var first = await AcsTestSite.PostAsync(browser, posted, "/incidents/café");
        using var second = await AcsTestSite.PostAsync(browser, posted, "/incidents/café", json: true);

        AcsTestSite.AssertSeeOther(first, "/incidents/caf%C3%A9");
        await AssertProblem(second, HttpStatusCode.Forbidden, LoginErrorCodes.AssertionReplayed);
        Assert.That(await _site.CountAsync("SELECT count(*) FROM sessions WHERE tenant_id = @tenant", new { tenant }), Is.EqualTo(1));
    }

    [Test]
    public async Task Consume_WithEmptyNameId_IsRefusedAndCreatesNoMember()
    {
        var subdomain = NewSubdomain();
        var tenant = await _site.CreateTenantAsync(subdomain);
        var response = AcsTestSite.ResponseFor(subdomain);
        response.NameIdInnerXml = "&#x200B;";

        using var posted = await AcsTestSite.PostAsync(_site.Browser(subdomain), response.BuildBase64(), json: true);

        await AssertProblem(posted, HttpStatusCode.Forbidden, SamlErrorCodes.NameIdInvalid);
        Assert.That(await _site.CountAsync("SELECT count(*) FROM members WHERE tenant_id = @tenant", new { tenant }), Is.Zero);
    }

    [Test]
    public async Task Consume_WithProxyRestrictionCondition_IsRefusedNamingTheCondition()
    {
        var subdomain = NewSubdomain();
        var tenant = await _site.CreateTenantAsync(subdomain);
        var response = AcsTestSite.ResponseFor(subdomain);
        response.ExtraConditionsXml = "<ProxyRestriction Count=\"0\"/>";

        using var posted = await AcsTestSite.PostAsync(_site.Browser(subdomain), response.BuildBase64(), json: true);

        await AssertProblem(posted, HttpStatusCode.Forbidden, SamlErrorCodes.ConditionUnsupported);
        Assert.That(await _site.CountAsync(
            "SELECT count(*) FROM login_events WHERE tenant_id = @tenant AND error_code = 'condition_unsupported' AND message LIKE '%ProxyRestriction%'",
            new { tenant }), Is.EqualTo(1));
    }

    [Test]
    public async Task Consume_WithRelayStateOver1024Bytes_IsRefusedAsMalformed()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);

        using var response = await AcsTestSite.PostAsync(_site.Browser(subdomain), AcsTestSite.ResponseFor(subdomain).BuildBase64(),
            "/" + new string('a', 1100), json: true);

        await AssertProblem(response, HttpStatusCode.BadRequest, LoginErrorCodes.RelayStateTooLong);
    }

    [Test]
    public async Task Consume_EveryKindOfFailure_WritesALoginEventWithItsCode()
    {
        var subdomain = NewSubdomain();
        var tenant = await _site.CreateTenantAsync(subdomain, jit: false);
        var expired = AcsTestSite.ResponseFor(subdomain);
        expired.NotOnOrAfter = TestResponseBuilder.Now.AddMinutes(-10);
        using var browser = _site.Browser(subdomain);

        (await AcsTestSite.PostAsync(browser, "not base64 !!")).Dispose();
        (await AcsTestSite.PostAsync(browser, Convert.ToBase64String("<nope"u8.ToArray()))).Dispose();
        (await AcsTestSite.PostAsync(browser, expired.BuildBase64())).Dispose();
        (await AcsTestSite.PostAsync(browser, AcsTestSite.ResponseFor(subdomain).BuildBase64())).Dispose();

        var events = await _site.EventsAsync(tenant);
        Assert.That(events.Select(e => e.ErrorCode), Is.EquivalentTo(new[]
        {
            SamlErrorCodes.ResponseNotBase64, SamlErrorCodes.XmlMalformed, SamlErrorCodes.AssertionExpired, LoginErrorCodes.MemberUnknown,
        }));
        Assert.That(events.Select(e => e.Outcome), Is.All.EqualTo(LoginOutcomes.Failure));
    }

    [Test]
    public async Task Consume_FailureForBrowser_IsHtmlPageWithCodeAndEventIdButNoXml()
    {
        var subdomain = NewSubdomain();
        var tenant = await _site.CreateTenantAsync(subdomain);
        var response = AcsTestSite.ResponseFor(subdomain);
        response.Audience = "https://someone-else.example/";

        using var posted = await AcsTestSite.PostAsync(_site.Browser(subdomain), response.BuildBase64());

        Assert.That(posted.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(posted.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
        var html = await posted.Content.ReadAsStringAsync();
        var eventId = (await _site.CountAsync("SELECT count(*) FROM login_events WHERE tenant_id = @tenant", new { tenant }));
        Assert.That(eventId, Is.EqualTo(1));
        Assert.That(html, Does.Contain("Sign-in failed").And.Contain(SamlErrorCodes.AudienceMismatch).And.Contain("Event id"));
        Assert.That(html, Does.Not.Contain("<saml").And.Not.Contain("Assertion").And.Not.Contain("   at "));
        Assert.That(posted.Headers.GetValues("Content-Security-Policy").Single(), Does.Contain("frame-ancestors 'none'"));
    }

    [Test]
    public async Task Consume_OnUnknownSubdomain_Is404()
    {
        using var response = await AcsTestSite.PostAsync(_site.Browser("nosuchtenant"), "x", json: true);

        await AssertProblem(response, HttpStatusCode.NotFound, LoginErrorCodes.TenantUnknown);
    }

    [Test]
    public async Task Consume_ForTenantWithoutSso_IsRefusedAsNotConfigured()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain, withSso: false);

        using var response = await AcsTestSite.PostAsync(_site.Browser(subdomain), AcsTestSite.ResponseFor(subdomain).BuildBase64(), json: true);

        await AssertProblem(response, HttpStatusCode.NotFound, LoginErrorCodes.SsoNotConfigured);
    }

    [Test]
    public async Task Consume_WithBodyOverTheCap_Is413()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);

        using var response = await AcsTestSite.PostAsync(_site.Browser(subdomain), new string('A', 600 * 1024), json: true);

        await AssertProblem(response, HttpStatusCode.RequestEntityTooLarge, LoginErrorCodes.RequestTooLarge);
    }

    [Test]
    public async Task Consume_WithJsonBodyInsteadOfForm_Is400()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);
        using var browser = _site.Browser(subdomain);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/sso/saml/consume") { Content = JsonContent.Create(new { SAMLResponse = "x" }) };
        request.Headers.Accept.ParseAdd("application/json");

        using var response = await browser.SendAsync(request);

        await AssertProblem(response, HttpStatusCode.BadRequest, LoginErrorCodes.RequestMalformed);
    }

    [Test]
    public async Task Logout_EndsTheSession()
    {
        var subdomain = NewSubdomain();
        var tenant = await _site.CreateTenantAsync(subdomain);
        using var browser = _site.Browser(subdomain);
        await AcsTestSite.PostAsync(browser, AcsTestSite.ResponseFor(subdomain).BuildBase64());

        using var logout = await AcsTestSite.SubmitFormAsync(browser, "/", "/logout");
        using var me = await browser.GetAsync(new Uri("/api/me", UriKind.Relative));

        AcsTestSite.AssertSeeOther(logout, "/signed-out");
        Assert.That(me.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await _site.CountAsync("SELECT count(*) FROM sessions WHERE tenant_id = @tenant", new { tenant }), Is.Zero);
    }

    [Test]
    public async Task Logout_WithoutTheFormsAntiforgeryToken_IsRefusedAndKeepsTheSession()
    {
        var subdomain = NewSubdomain();
        var tenant = await _site.CreateTenantAsync(subdomain);
        using var browser = _site.Browser(subdomain);
        await AcsTestSite.PostAsync(browser, AcsTestSite.ResponseFor(subdomain).BuildBase64());

        using var logout = await browser.PostAsync(new Uri("/logout", UriKind.Relative), new FormUrlEncodedContent([]));
        using var me = await browser.GetAsync(new Uri("/api/me", UriKind.Relative));

        Assert.That(logout.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await logout.Content.ReadAsStringAsync(), Does.Contain("form_expired"));
        Assert.That(me.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await _site.CountAsync("SELECT count(*) FROM sessions WHERE tenant_id = @tenant", new { tenant }), Is.EqualTo(1));
    }

    [Test]
    public async Task Landing_WhenSignedIn_NamesTheMemberAndRole()
    {
        var subdomain = NewSubdomain();
        var tenant = await _site.CreateTenantAsync(subdomain);
        await _site.CreateMemberAsync(tenant, "jane.doe@contoso.test", MemberRoles.ClientAdministrator);
        using var browser = _site.Browser(subdomain);
        await AcsTestSite.PostAsync(browser, AcsTestSite.ResponseFor(subdomain, givenName: "Britta", surname: "Simon").BuildBase64());

        var html = await browser.GetStringAsync(new Uri("/", UriKind.Relative));

        var displayName = char.ToUpperInvariant(subdomain[0]) + subdomain[1..] + " Inc.";
        Assert.That(html, Does.Contain($"Signed in to {displayName} as <strong>Britta Simon</strong> (Client Administrator)"));
        Assert.That(html, Does.Contain("Sign out"));
    }

    [Test]
    public async Task Landing_WhenSignedOut_OffersSpInitiatedSignIn()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);

        var html = await _site.Browser(subdomain).GetStringAsync(new Uri("/", UriKind.Relative));

        Assert.That(html, Does.Contain("You are not signed in").And.Contain("href=\"/sso/saml/login?returnTo=%2F\""));
        Assert.That(html, Does.Not.Contain("/dev/idp"), "the development IdP is off outside Development");
    }

    [Test]
    public async Task Metadata_IsWellFormedSpMetadataForTheTenant()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);

        using var response = await _site.Browser(subdomain).GetAsync(new Uri("/sso/saml/metadata", UriKind.Relative));

        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/samlmetadata+xml"));
        var document = new XmlDocument();
        document.LoadXml(await response.Content.ReadAsStringAsync());
        var ns = new XmlNamespaceManager(document.NameTable);
        ns.AddNamespace("md", "urn:oasis:names:tc:SAML:2.0:metadata");
        Assert.That(document.SelectSingleNode("/md:EntityDescriptor/@entityID", ns)?.Value, Is.EqualTo($"https://{subdomain}.statuspage.io/"));
        var acs = (XmlElement)document.SelectSingleNode("/md:EntityDescriptor/md:SPSSODescriptor/md:AssertionConsumerService", ns)!;
        Assert.That(acs.GetAttribute("Location"), Is.EqualTo($"https://{subdomain}.statuspage.io/sso/saml/consume"));
        Assert.That(acs.GetAttribute("Binding"), Is.EqualTo("urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"));
        Assert.That(document.SelectSingleNode("//md:NameIDFormat", ns)?.InnerText, Is.EqualTo("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"));
    }

    private static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status, string errorCode)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), body);
        using var problem = JsonDocument.Parse(body);
        Assert.That(problem.RootElement.GetProperty("errorCode").GetString(), Is.EqualTo(errorCode), body);
    }
}
