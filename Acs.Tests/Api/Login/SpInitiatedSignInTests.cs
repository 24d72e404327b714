using System.Net;
using System.Web;
using System.Xml;
using Acs.Core.Login;
using Acs.Core.Saml.Bindings;
using Acs.Core.Saml.Validation;
using Acs.Core.Saml.Xml;
using Acs.Testing.TestIdp;
using Acs.Tests.TestInfrastructure;
using Dapper;

namespace Acs.Tests.Api.Login;

/// <summary>
/// SP-initiated sign-in: the AuthnRequest redirect and its browser-binding cookie, and responses answering (or
/// pretending to answer) a request.
/// </summary>
public sealed class SpInitiatedSignInTests
{
    private AcsTestSite _site = null!;

    [OneTimeSetUp]
    public async Task Start() => _site = await AcsTestSite.StartAsync("spinit");

    [OneTimeTearDown]
    public async Task Stop() => await _site.DisposeAsync();

    private static string NewSubdomain() => "t" + Guid.NewGuid().ToString("N")[..12];

    [Test]
    public async Task Login_RedirectsToSsoTargetUrlWithWellFormedAuthnRequest()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);

        using var response = await _site.Browser(subdomain).GetAsync(new Uri("/sso/saml/login?returnTo=%2Fincidents", UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var location = response.Headers.Location!;
        Assert.That(location.GetLeftPart(UriPartial.Path), Is.EqualTo("https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/saml2"));
        var query = HttpUtility.ParseQueryString(location.Query);
        var request = new XmlDocument();
        request.Load(new MemoryStream(RedirectBinding.Decode(query["SAMLRequest"])!));
        var root = request.DocumentElement!;
        Assert.Multiple(() =>
        {
            Assert.That(root.LocalName, Is.EqualTo("AuthnRequest"));
            Assert.That(root.NamespaceURI, Is.EqualTo(SamlConstants.ProtocolNamespace));
            Assert.That(root.GetAttribute("Version"), Is.EqualTo("2.0"));
            Assert.That(root.GetAttribute("ID"), Does.StartWith("_").And.Length.EqualTo(33));
            Assert.That(root.GetAttribute("Destination"), Is.EqualTo("https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/saml2"));
            Assert.That(root.GetAttribute("AssertionConsumerServiceURL"), Is.EqualTo($"https://{subdomain}.statuspage.io/sso/saml/consume"));
            Assert.That(root.GetAttribute("ProtocolBinding"), Is.EqualTo("urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"));
            Assert.That(root["Issuer", SamlConstants.AssertionNamespace]?.InnerText, Is.EqualTo($"https://{subdomain}.statuspage.io/"));
            Assert.That(root["NameIDPolicy", SamlConstants.ProtocolNamespace]?.GetAttribute("AllowCreate"), Is.EqualTo("true"));
            Assert.That(query["RelayState"], Is.EqualTo(root.GetAttribute("ID")), "RelayState carries a reference, not the return path");
        });
    }

    [Test]
    public async Task Login_SetsAShortLivedCrossSiteBindingCookieScopedToTheAcs()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);

        using var response = await _site.Browser(subdomain).GetAsync(new Uri("/sso/saml/login?returnTo=%2F", UriKind.Relative));

        var requestId = HttpUtility.ParseQueryString(response.Headers.Location!.Query)["RelayState"]!;
        var cookie = response.Headers.GetValues("Set-Cookie").Single();
        var attributes = cookie.Split(';', StringSplitOptions.TrimEntries);
        Assert.Multiple(() =>
        {
            Assert.That(attributes[0], Does.StartWith($"__Secure-acs_authn{requestId}="));
            Assert.That(attributes[0].Length, Is.GreaterThan($"__Secure-acs_authn{requestId}=".Length + 40), "a keyed hash, not the ID");
            Assert.That(attributes[0], Does.Not.EndWith("=" + requestId));
            Assert.That(attributes, Has.Some.EqualTo("httponly").IgnoreCase);
            Assert.That(attributes, Has.Some.EqualTo("secure").IgnoreCase);
            // Lax cookies are not sent on the IdP's cross-site POST.
            Assert.That(attributes, Has.Some.EqualTo("samesite=none").IgnoreCase);
            Assert.That(attributes, Has.Some.EqualTo("path=/sso/saml/consume").IgnoreCase);
            Assert.That(attributes, Has.Some.EqualTo("max-age=600").IgnoreCase);
            Assert.That(attributes, Has.None.StartsWith("domain=").IgnoreCase);
        });
    }

    [Test]
    public async Task Login_OnAPlainHttpSite_SetsTheBindingCookieWithoutSecure()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);

        using var response = await _site.Browser(subdomain, https: false).GetAsync(new Uri("/sso/saml/login?returnTo=%2F", UriKind.Relative));

        var requestId = HttpUtility.ParseQueryString(response.Headers.Location!.Query)["RelayState"]!;
        var attributes = response.Headers.GetValues("Set-Cookie").Single().Split(';', StringSplitOptions.TrimEntries);
        Assert.That(attributes[0], Does.StartWith($"acs_authn{requestId}="));
        Assert.That(attributes, Has.None.EqualTo("secure").IgnoreCase);
        // SameSite=None without Secure is refused by browsers; no attribute is the most a plain-http site can do.
        Assert.That(attributes, Has.None.StartsWith("samesite").IgnoreCase);
        Assert.That(attributes, Has.Some.EqualTo("httponly").IgnoreCase);
        Assert.That(attributes, Has.Some.EqualTo("path=/sso/saml/consume").IgnoreCase);
    }

    [Test]
    public async Task Consume_AnsweringOutstandingRequest_IsAcceptedOnceAndReturnsToTheStoredPath()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);
        using var browser = _site.Browser(subdomain);
        var requestId = await StartSignInAsync(browser, "/incidents?open=1");

        using var first = await AcsTestSite.PostAsync(browser, Answering(subdomain, requestId), relayState: requestId);
        using var second = await AcsTestSite.PostAsync(browser, Answering(subdomain, requestId), json: true);

        AcsTestSite.AssertSeeOther(first, "/incidents?open=1");
        await AssertRefused(second, SamlErrorCodes.InResponseToUnexpected);
    }

    [Test]
    public async Task Consume_TwentyParallelPostsAnsweringOneRequest_SucceedExactlyOnce()
    {
        var subdomain = NewSubdomain();
        var tenant = await _site.CreateTenantAsync(subdomain);
        using var browser = _site.Browser(subdomain);
        var requestId = await StartSignInAsync(browser, "/incidents");
        // Ten copies of one response and ten distinct responses, all answering the same request.
        var same = Answering(subdomain, requestId);
        var posts = Enumerable.Range(0, 20).Select(i => i % 2 == 0 ? same : Answering(subdomain, requestId)).ToList();

        var responses = await Task.WhenAll(posts.Select(p => AcsTestSite.PostAsync(browser, p, json: true)));

        Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.SeeOther), Is.EqualTo(1));
        Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.Forbidden), Is.EqualTo(19));
        Assert.That(await _site.CountAsync("SELECT count(*) FROM sessions WHERE tenant_id = @tenant", new { tenant }), Is.EqualTo(1));
        Assert.That(await _site.CountAsync("SELECT count(*) FROM consumed_assertions WHERE tenant_id = @tenant", new { tenant }), Is.EqualTo(1));
        Assert.That(await _site.CountAsync("SELECT count(*) FROM login_events WHERE tenant_id = @tenant", new { tenant }), Is.EqualTo(20),
            "every attempt leaves a login event");
    }

    [Test]
    public async Task Consume_AfterSignIn_ClearsTheBindingCookie()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);
        using var browser = _site.Browser(subdomain);
        var requestId = await StartSignInAsync(browser, "/");

        using var response = await AcsTestSite.PostAsync(browser, Answering(subdomain, requestId), relayState: requestId);

        AcsTestSite.AssertSeeOther(response, "/");
        var cleared = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith($"__Secure-acs_authn{requestId}=", StringComparison.Ordinal));
        Assert.That(cleared, Does.Contain("expires=Thu, 01 Jan 1970").IgnoreCase.And.Contain("path=/sso/saml/consume").IgnoreCase);
    }

    [Test]
    public async Task Consume_WithInResponseToOnlyOnTheSignedSubjectConfirmation_IsAccepted()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);
        using var browser = _site.Browser(subdomain);
        var requestId = await StartSignInAsync(browser, "/incidents");
        var response = AcsTestSite.ResponseFor(subdomain);
        response.ConfirmationInResponseTo = requestId;

        using var posted = await AcsTestSite.PostAsync(browser, response.BuildBase64(), relayState: requestId);

        AcsTestSite.AssertSeeOther(posted, "/incidents");
    }

    [Test]
    public async Task Consume_WithInResponseToOnlyOnTheSignedResponse_IsAccepted()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);
        using var browser = _site.Browser(subdomain);
        var requestId = await StartSignInAsync(browser, "/incidents");
        var response = AcsTestSite.ResponseFor(subdomain);
        response.Sign = SignMode.Response;
        response.ResponseInResponseTo = requestId;

        using var posted = await AcsTestSite.PostAsync(browser, response.BuildBase64(), relayState: requestId);

        AcsTestSite.AssertSeeOther(posted, "/incidents");
    }

    [Test]
    public async Task Consume_UnsolicitedResponseWithUnsignedInResponseToOfARealRequest_IsStillUnsolicitedWhereIdpInitiatedIsOff()
    {
        var subdomain = NewSubdomain();
        var tenant = await _site.CreateTenantAsync(subdomain);
        await DisallowIdpInitiatedAsync(tenant);
        // Anyone may start a sign-in and read its request ID from the redirect.
        using var attacker = _site.Browser(subdomain);
        var requestId = await StartSignInAsync(attacker, "/incidents");
        var document = AcsTestSite.ResponseFor(subdomain).Build();
        document.DocumentElement!.SetAttribute("InResponseTo", requestId);
        var forged = Convert.ToBase64String(TestResponseBuilder.ToBytes(document));

        using var fromTheAttackersBrowser = await AcsTestSite.PostAsync(attacker, forged, relayState: requestId, json: true);
        using var fromAnotherBrowser = await AcsTestSite.PostAsync(_site.Browser(subdomain), forged, relayState: requestId, json: true);

        await AssertRefused(fromTheAttackersBrowser, LoginErrorCodes.IdpInitiatedNotAllowed);
        await AssertRefused(fromAnotherBrowser, LoginErrorCodes.IdpInitiatedNotAllowed);
        Assert.That(await _site.CountAsync("SELECT count(*) FROM sessions WHERE tenant_id = @tenant", new { tenant }), Is.Zero);
    }

    [Test]
    public async Task Consume_AnsweringARequestStartedInAnotherBrowser_IsRefusedWithItsOwnCodeAndLeavesTheRequestUsable()
    {
        var subdomain = NewSubdomain();
        var tenant = await _site.CreateTenantAsync(subdomain);
        using var victim = _site.Browser(subdomain);
        using var attacker = _site.Browser(subdomain);
        var requestId = await StartSignInAsync(victim, "/incidents");

        // The attacker's own genuine assertion, answering the victim's request ID (which leaks through URLs).
        using var burn = await AcsTestSite.PostAsync(attacker,
            Answering(subdomain, requestId, AcsTestSite.ResponseFor(subdomain, email: "mallory@contoso.test", objectId: "oid-mallory")), json: true);
        using var victimSignIn = await AcsTestSite.PostAsync(victim, Answering(subdomain, requestId), relayState: requestId);

        var body = await AssertRefused(burn, LoginErrorCodes.RequestNotFromThisBrowser);
        Assert.That(body, Does.Contain("same browser"), "the hint says what to do");
        AcsTestSite.AssertSeeOther(victimSignIn, "/incidents");
        Assert.That(await _site.CountAsync("SELECT count(*) FROM members WHERE tenant_id = @tenant AND email = 'mallory@contoso.test'",
            new { tenant }), Is.Zero);
        var events = await _site.EventsAsync(tenant);
        Assert.That(events.Select(e => e.ErrorCode), Is.EquivalentTo(new[] { LoginErrorCodes.RequestNotFromThisBrowser, null }));
    }

    [Test]
    public async Task Consume_ResponseToTheAttackersRequestPostedFromTheVictimsBrowser_IsRefused()
    {
        var subdomain = NewSubdomain();
        var tenant = await _site.CreateTenantAsync(subdomain);
        using var attacker = _site.Browser(subdomain);
        var requestId = await StartSignInAsync(attacker, "/");
        var attackersResponse = Answering(subdomain, requestId, AcsTestSite.ResponseFor(subdomain, email: "mallory@contoso.test", objectId: "oid-mallory"));

        // Login CSRF: an auto-submitting form on another site makes the victim's browser post it.
        using var csrf = await AcsTestSite.PostAsync(_site.Browser(subdomain), attackersResponse, relayState: requestId, json: true);

        await AssertRefused(csrf, LoginErrorCodes.RequestNotFromThisBrowser);
        Assert.That(await _site.CountAsync("SELECT count(*) FROM sessions WHERE tenant_id = @tenant", new { tenant }), Is.Zero);
    }

    [Test]
    public async Task Consume_WithAForgedBindingCookie_IsRefused()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);
        using var starter = _site.Browser(subdomain);
        var requestId = await StartSignInAsync(starter, "/");

        using var forged = await AcsTestSite.PostAsync(_site.Browser(subdomain), Answering(subdomain, requestId), json: true,
            cookie: $"__Secure-acs_authn{requestId}=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        using var idAsValue = await AcsTestSite.PostAsync(_site.Browser(subdomain), Answering(subdomain, requestId), json: true,
            cookie: $"__Secure-acs_authn{requestId}={requestId}");

        await AssertRefused(forged, LoginErrorCodes.RequestNotFromThisBrowser);
        await AssertRefused(idAsValue, LoginErrorCodes.RequestNotFromThisBrowser);
    }

    [Test]
    public async Task Consume_WithTheBindingCookieOfTheSameTenantsOtherSite_IsRefused()
    {
        // One tenant, two public addresses: a binding made on the https site does not answer on the plain-http one.
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);
        using var httpsBrowser = _site.Browser(subdomain);
        using var start = await httpsBrowser.GetAsync(new Uri("/sso/saml/login?returnTo=%2F", UriKind.Relative));
        var requestId = HttpUtility.ParseQueryString(start.Headers.Location!.Query)["RelayState"]!;
        var value = start.Headers.GetValues("Set-Cookie").Single().Split(';')[0].Split('=', 2)[1];
        var response = AcsTestSite.ResponseFor(subdomain, https: false);
        response.ResponseInResponseTo = requestId;
        response.ConfirmationInResponseTo = requestId;

        using var posted = await AcsTestSite.PostAsync(_site.Browser(subdomain, https: false), response.BuildBase64(), json: true,
            cookie: $"acs_authn{requestId}={value}");

        var body = await AssertRefused(posted, LoginErrorCodes.RequestNotFromThisBrowser);
        Assert.That(body, Does.Contain("plain-http"), "the hint names the plain-http case");
    }

    [Test]
    public async Task Consume_OnAPlainHttpSite_WithTheBindingCookie_IsAccepted()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);
        using var browser = _site.Browser(subdomain, https: false);
        var requestId = await StartSignInAsync(browser, "/incidents");
        var response = AcsTestSite.ResponseFor(subdomain, https: false);
        response.ConfirmationInResponseTo = requestId;

        using var posted = await AcsTestSite.PostAsync(browser, response.BuildBase64(), relayState: requestId);

        AcsTestSite.AssertSeeOther(posted, "/incidents");
    }

    [Test]
    public async Task Consume_TwoSignInsStartedInOneBrowser_BothComplete()
    {
        // Two tabs: each request has its own binding cookie, so the second does not overwrite the first.
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);
        using var browser = _site.Browser(subdomain);
        var first = await StartSignInAsync(browser, "/first");
        var second = await StartSignInAsync(browser, "/second");

        using var secondDone = await AcsTestSite.PostAsync(browser, Answering(subdomain, second), relayState: second);
        using var firstDone = await AcsTestSite.PostAsync(browser, Answering(subdomain, first), relayState: first);

        AcsTestSite.AssertSeeOther(secondDone, "/second");
        AcsTestSite.AssertSeeOther(firstDone, "/first");
    }

    [Test]
    public async Task Consume_AfterARefusedAttemptOnTheRequest_TheRequestIsStillUsable()
    {
        var subdomain = NewSubdomain();
        var tenant = await _site.CreateTenantAsync(subdomain, jit: false);
        using var browser = _site.Browser(subdomain);
        var requestId = await StartSignInAsync(browser, "/incidents");

        using var refused = await AcsTestSite.PostAsync(browser, Answering(subdomain, requestId), json: true);
        await _site.CreateMemberAsync(tenant, "jane.doe@contoso.test");
        using var retried = await AcsTestSite.PostAsync(browser, Answering(subdomain, requestId), relayState: requestId);

        await AssertRefused(refused, LoginErrorCodes.MemberUnknown);
        AcsTestSite.AssertSeeOther(retried, "/incidents");
    }

    [Test]
    public async Task Consume_AnsweringUnknownRequest_IsRefused()
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);

        using var response = await AcsTestSite.PostAsync(_site.Browser(subdomain), Answering(subdomain, "_never-issued"), json: true);

        await AssertRefused(response, SamlErrorCodes.InResponseToUnexpected);
    }

    [Test]
    public async Task Consume_AnsweringUnknownRequestWhileIdpInitiatedIsAllowed_IsStillRefused()
    {
        // A signed InResponseTo is never ignored: it answers one of our requests or it is refused.
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);
        var response = AcsTestSite.ResponseFor(subdomain);
        response.ConfirmationInResponseTo = "_" + new string('a', 32);

        using var posted = await AcsTestSite.PostAsync(_site.Browser(subdomain), response.BuildBase64(), json: true);

        await AssertRefused(posted, SamlErrorCodes.InResponseToUnexpected);
    }

    [Test]
    public async Task Consume_AnsweringExpiredRequest_IsRefused()
    {
        var subdomain = NewSubdomain();
        var tenant = await _site.CreateTenantAsync(subdomain);
        using var browser = _site.Browser(subdomain);
        var requestId = await StartSignInAsync(browser, "/");
        await using (var connection = await _site.Db.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("UPDATE authn_requests SET expires_at = @past WHERE tenant_id = @tenant",
                new { tenant, past = TestResponseBuilder.Now.AddSeconds(-1) });
        }

        using var response = await AcsTestSite.PostAsync(browser, Answering(subdomain, requestId), json: true);

        await AssertRefused(response, SamlErrorCodes.InResponseToUnexpected);
    }

    [Test]
    public async Task Consume_AnsweringAnotherTenantsRequestWithItsBindingCookie_IsRefused()
    {
        var acme = NewSubdomain();
        var globex = NewSubdomain();
        await _site.CreateTenantAsync(acme);
        await _site.CreateTenantAsync(globex);
        using var globexStart = await _site.Browser(globex).GetAsync(new Uri("/sso/saml/login?returnTo=%2F", UriKind.Relative));
        var globexRequest = HttpUtility.ParseQueryString(globexStart.Headers.Location!.Query)["RelayState"]!;
        var globexCookie = globexStart.Headers.GetValues("Set-Cookie").Single().Split(';')[0];

        using var response = await AcsTestSite.PostAsync(_site.Browser(acme), Answering(acme, globexRequest), json: true, cookie: globexCookie);

        await AssertRefused(response, SamlErrorCodes.InResponseToUnexpected);
    }

    [Test]
    public async Task Consume_UnsolicitedWhenIdpInitiatedIsOff_IsRefusedWithItsOwnCode()
    {
        var subdomain = NewSubdomain();
        var tenant = await _site.CreateTenantAsync(subdomain);
        await DisallowIdpInitiatedAsync(tenant);
        using var browser = _site.Browser(subdomain);

        using var unsolicited = await AcsTestSite.PostAsync(browser, AcsTestSite.ResponseFor(subdomain).BuildBase64(), json: true);
        var requestId = await StartSignInAsync(browser, "/");
        using var solicited = await AcsTestSite.PostAsync(browser, Answering(subdomain, requestId));

        await AssertRefused(unsolicited, LoginErrorCodes.IdpInitiatedNotAllowed);
        AcsTestSite.AssertSeeOther(solicited, "/");
    }

    [TestCase("//evil.example/")]
    [TestCase("https://evil.example/")]
    [TestCase("/\\evil.example")]
    [TestCase("/incidents\r\nSet-Cookie: x=y")]
    public async Task Login_WithReturnToOffTheSite_ReturnsToTheLandingPage(string returnTo)
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);
        using var browser = _site.Browser(subdomain);
        var requestId = await StartSignInAsync(browser, returnTo);

        using var response = await AcsTestSite.PostAsync(browser, Answering(subdomain, requestId));

        AcsTestSite.AssertSeeOther(response, "/");
    }

    [TestCase("/incidents/café", "/incidents/caf%C3%A9")]
    [TestCase("/status page?q=a b", "/status%20page?q=a%20b")]
    public async Task Login_WithReturnToThatIsNotAscii_ReturnsToThePercentEncodedPath(string returnTo, string expectedLocation)
    {
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);
        using var browser = _site.Browser(subdomain);
        var requestId = await StartSignInAsync(browser, returnTo);

        using var response = await AcsTestSite.PostAsync(browser, Answering(subdomain, requestId));

        AcsTestSite.AssertSeeOther(response, expectedLocation);
    }

    private static async Task<string> StartSignInAsync(HttpClient browser, string returnTo)
    {
        using var response = await browser.GetAsync(new Uri("/sso/saml/login?returnTo=" + Uri.EscapeDataString(returnTo), UriKind.Relative));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        return HttpUtility.ParseQueryString(response.Headers.Location!.Query)["RelayState"]!;
    }

    private async Task DisallowIdpInitiatedAsync(Guid tenant)
    {
        await using var connection = await _site.Db.OpenConnectionAsync();
        await connection.ExecuteAsync("UPDATE tenants SET allow_idp_initiated = false WHERE id = @tenant", new { tenant });
        _site.TenantChanged(tenant);
    }

    private static string Answering(string subdomain, string requestId, TestResponseBuilder? builder = null)
    {
        builder ??= AcsTestSite.ResponseFor(subdomain);
        builder.ResponseInResponseTo = requestId;
        builder.ConfirmationInResponseTo = requestId;
        return builder.BuildBase64();
    }

    private static async Task<string> AssertRefused(HttpResponseMessage response, string errorCode)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), body);
        Assert.That(body, Does.Contain($"\"errorCode\":\"{errorCode}\""));
        return body;
    }
}
