using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Acs.Core.Members;
using Acs.Testing.TestIdp;
using Acs.Tests.TestInfrastructure;
using Dapper;

namespace Acs.Tests.Api.Manage;

/// <summary>
/// The forms of the administration pages: each post needs its antiforgery token, answers with a redirect, and shows a
/// refusal beside its field in the admin API's words.
/// </summary>
public sealed partial class ManageFormTests
{
    private const string EntraLoginUrl = "https://login.microsoftonline.com/" + TestResponseBuilder.EntraTenantId + "/saml2";

    private AcsTestSite _site = null!;

    [OneTimeSetUp]
    public async Task Start() => _site = await AcsTestSite.StartAsync("manageforms");

    [OneTimeTearDown]
    public async Task Stop() => await _site.DisposeAsync();

    private static string NewSubdomain() => "f" + Guid.NewGuid().ToString("N")[..10];

    private async Task<(string Subdomain, Guid TenantId, HttpClient Browser)> SetupAsync(bool withSso = false)
    {
        var subdomain = NewSubdomain();
        var tenantId = await _site.CreateTenantAsync(subdomain, withSso: withSso);
        return (subdomain, tenantId, await ManageTestSite.SetupBrowserAsync(_site, subdomain));
    }

    private static Task<HttpResponseMessage> SubmitAsync(HttpClient browser, string page, string action, params (string Name, string Value)[] fields) =>
        AcsTestSite.SubmitFormAsync(browser, page, action, fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));

    private static async Task<HttpResponseMessage> SubmitMultipartAsync(HttpClient browser, string page, string action,
        (string Name, string Value)[] fields, (string Name, string FileName, byte[] Content)[] files)
    {
        var html = await browser.GetStringAsync(new Uri(page, UriKind.Relative));
        using var content = new MultipartFormDataContent { { new StringContent(AcsTestSite.AntiforgeryToken(html)), AcsTestSite.AntiforgeryFieldName } };
        foreach (var (name, value) in fields)
        {
            content.Add(new StringContent(value), name);
        }

        foreach (var (name, fileName, bytes) in files)
        {
            content.Add(new ByteArrayContent(bytes), name, fileName);
        }

        return await browser.PostAsync(new Uri(action, UriKind.Relative), content);
    }

    /// <summary>The message the admin API gives for the same body, field by field.</summary>
    private async Task<string> AdminApiMessageAsync(string subdomain, string path, object body, string field, HttpMethod method)
    {
        using var admin = _site.Factory.CreateAdminClient();
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        using var response = await admin.SendAsync(request);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return problem.TryGetProperty("errors", out var errors)
            ? errors.GetProperty(field)[0].GetString()!
            : problem.GetProperty("detail").GetString()!;
    }

    private static string FieldError(string html, string field)
    {
        var match = Regex.Match(html, $"<p class=\"field-error\" id=\"{field}-error\">([^<]*)</p>");
        Assert.That(match.Success, Is.True, $"no error beside '{field}'");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    [Test]
    public async Task Post_WithoutAntiforgeryToken_IsA400Page_AndChangesNothing()
    {
        var (_, _, browser) = await SetupAsync();

        using var response = await browser.PostAsync(new Uri("/manage/members", UriKind.Relative),
            new FormUrlEncodedContent([new("email", "no-token@contoso.test"), new("role", MemberRoles.ClientAdministrator)]));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("This form has expired"));
        Assert.That(await _site.CountAsync("SELECT count(*) FROM members WHERE email = 'no-token@contoso.test'", new { }), Is.Zero);
    }

    [Test]
    public async Task SaveConfiguration_WithHttpTargetUrl_ShowsTheAdminApisMessageBesideTheField()
    {
        var (subdomain, _, browser) = await SetupAsync();
        var pem = TestIdpKeys.Default.Certificate.ExportCertificatePem();

        using var response = await SubmitAsync(browser, "/manage/sso", "/manage/sso",
            ("ssoTargetUrl", "http://login.example.com/saml2"), ("idpEntityId", TestResponseBuilder.IdpEntityId), ("certificate", pem));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var html = await response.Content.ReadAsStringAsync();
        var expected = await AdminApiMessageAsync(subdomain, $"/admin/tenants/{subdomain}/sso",
            new { ssoTargetUrl = "http://login.example.com/saml2", idpEntityId = TestResponseBuilder.IdpEntityId, certificate = pem }, "ssoTargetUrl", HttpMethod.Put);
        Assert.That(FieldError(html, "ssoTargetUrl"), Is.EqualTo(expected));
        Assert.That(html, Does.Contain("aria-describedby=\"sso-target-url-help ssoTargetUrl-error\" aria-invalid=\"true\""));
        Assert.That(html, Does.Contain("value=\"http://login.example.com/saml2\""), "what was typed stays in the form");
    }

    [Test]
    public async Task SaveConfiguration_WithGarbageCertificate_ShowsTheParsersMessageBesideTheCertificate()
    {
        var (subdomain, _, browser) = await SetupAsync();

        using var response = await SubmitAsync(browser, "/manage/sso", "/manage/sso",
            ("ssoTargetUrl", EntraLoginUrl), ("idpEntityId", TestResponseBuilder.IdpEntityId), ("certificate", "not a certificate"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var expected = await AdminApiMessageAsync(subdomain, $"/admin/tenants/{subdomain}/sso",
            new { ssoTargetUrl = EntraLoginUrl, idpEntityId = TestResponseBuilder.IdpEntityId, certificate = "not a certificate" }, "certificate", HttpMethod.Put);
        Assert.That(FieldError(await response.Content.ReadAsStringAsync(), "certificate"), Is.EqualTo(expected));
    }

    [TestCase("pem")]
    [TestCase("base64")]
    public async Task SaveConfiguration_WithPastedCertificate_SavesAndListsIt(string format)
    {
        var (subdomain, tenantId, browser) = await SetupAsync();
        var certificate = TestIdpKeys.Default.Certificate;
        var text = format == "pem" ? certificate.ExportCertificatePem() : Convert.ToBase64String(certificate.RawData);

        using var response = await SubmitAsync(browser, "/manage/sso", "/manage/sso",
            ("ssoTargetUrl", EntraLoginUrl), ("idpEntityId", TestResponseBuilder.IdpEntityId), ("certificate", text));

        AcsTestSite.AssertSeeOther(response, "/manage/sso?done=saved");
        var (_, html) = await ManageTestSite.GetAsync(browser, "/manage/sso?done=saved");
        Assert.That(html, Does.Contain("Configuration saved.").And.Contain(TestIdpKeys.Default.Trusted.ThumbprintSha256)
            .And.Contain("status-active").And.Contain("Test single sign-on"));
        Assert.That(await _site.CountAsync("SELECT count(*) FROM idp_configs WHERE tenant_id = @tenantId AND sso_target_url = @url",
            new { tenantId, url = EntraLoginUrl }), Is.EqualTo(1));
    }

    [Test]
    public async Task SaveConfiguration_WithEntraCerFile_Uploaded_SavesIt()
    {
        var (_, tenantId, browser) = await SetupAsync();
        var der = TestIdpKeys.Default.Certificate.RawData;

        using var response = await SubmitMultipartAsync(browser, "/manage/sso", "/manage/sso",
            [("ssoTargetUrl", EntraLoginUrl), ("idpEntityId", TestResponseBuilder.IdpEntityId), ("certificate", "")],
            [("certificateFile", "Acme SSO.cer", der)]);

        AcsTestSite.AssertSeeOther(response, "/manage/sso?done=saved");
        Assert.That(await _site.CountAsync("SELECT count(*) FROM idp_certificates WHERE tenant_id = @tenantId AND thumbprint_sha256 = @t",
            new { tenantId, t = TestIdpKeys.Default.Trusted.ThumbprintSha256 }), Is.EqualTo(1));
    }

    [Test]
    public async Task SaveConfiguration_WithFederationMetadataXml_SetsUrlIdentifierAndCertificates()
    {
        var (_, tenantId, browser) = await SetupAsync();
        var entraTenant = Guid.NewGuid();
        var xml = System.Text.Encoding.UTF8.GetBytes(EntraMetadata.Build(entraTenant, TestIdpKeys.Default.Certificate));

        using var response = await SubmitMultipartAsync(browser, "/manage/sso", "/manage/sso", [], [("metadata", "Acme SSO.xml", xml)]);

        AcsTestSite.AssertSeeOther(response, "/manage/sso?done=metadata");
        var (_, html) = await ManageTestSite.GetAsync(browser, "/manage/sso");
        Assert.That(html, Does.Contain($"value=\"https://sts.windows.net/{entraTenant}/\""), "the identifier is filled in from the metadata");
        Assert.That(await _site.CountAsync("SELECT count(*) FROM idp_configs WHERE tenant_id = @tenantId", new { tenantId }), Is.EqualTo(1));
    }

    [Test]
    public async Task SaveConfiguration_WithBrokenMetadata_ShowsTheParsersMessageBesideTheUpload()
    {
        var (_, _, browser) = await SetupAsync();

        using var response = await SubmitMultipartAsync(browser, "/manage/sso", "/manage/sso", [], [("metadata", "x.xml", "<notmetadata/>"u8.ToArray())]);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(FieldError(await response.Content.ReadAsStringAsync(), "metadata"), Does.Contain("EntityDescriptor"));
    }

    [Test]
    public async Task Certificates_AddAnother_ThenRemoveOne_ButNeverTheLast()
    {
        var (_, tenantId, browser) = await SetupAsync(withSso: true);
        var next = TestIdpKeys.CreateRsa("Next Entra Certificate");

        using var added = await SubmitAsync(browser, "/manage/sso", "/manage/sso/certificates", ("newCertificate", next.Certificate.ExportCertificatePem()));
        AcsTestSite.AssertSeeOther(added, "/manage/sso?done=added");
        Assert.That(await _site.CountAsync("SELECT count(*) FROM idp_certificates WHERE tenant_id = @tenantId", new { tenantId }), Is.EqualTo(2));

        using var removed = await SubmitAsync(browser, "/manage/sso", "/manage/sso/certificates/remove", ("thumbprint", TestIdpKeys.Default.Trusted.ThumbprintSha256));
        AcsTestSite.AssertSeeOther(removed, "/manage/sso?done=removed");

        using var last = await SubmitAsync(browser, "/manage/sso", "/manage/sso/certificates/remove", ("thumbprint", next.Trusted.ThumbprintSha256));
        Assert.That(last.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(FieldError(await last.Content.ReadAsStringAsync(), "certificates"), Does.Contain("last trusted certificate"));
        Assert.That(await _site.CountAsync("SELECT count(*) FROM idp_certificates WHERE tenant_id = @tenantId", new { tenantId }), Is.EqualTo(1));
    }

    [Test]
    public async Task AddCertificate_AlreadyTrusted_IsA409BesideTheField()
    {
        var (_, _, browser) = await SetupAsync(withSso: true);

        using var response = await SubmitAsync(browser, "/manage/sso", "/manage/sso/certificates",
            ("newCertificate", TestIdpKeys.Default.Certificate.ExportCertificatePem()));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(FieldError(await response.Content.ReadAsStringAsync(), "newCertificate"), Does.Contain("is already trusted"));
    }

    [TestCase("not-an-email", "email")]
    [TestCase("", "email")]
    public async Task CreateAccount_WithBadEmail_ShowsTheAdminApisMessageBesideTheField(string email, string field)
    {
        var (subdomain, _, browser) = await SetupAsync();

        using var response = await SubmitAsync(browser, "/manage/members", "/manage/members",
            ("email", email), ("firstName", "Britta"), ("lastName", "Simon"), ("role", MemberRoles.ClientAdministrator));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var expected = await AdminApiMessageAsync(subdomain, $"/admin/tenants/{subdomain}/members",
            new { email, firstName = "Britta", lastName = "Simon", role = MemberRoles.ClientAdministrator }, field, HttpMethod.Post);
        var html = await response.Content.ReadAsStringAsync();
        Assert.That(FieldError(html, field), Is.EqualTo(expected));
        Assert.That(html, Does.Contain("value=\"Britta\""), "what was typed stays in the form");
    }

    [Test]
    public async Task CreateAccount_WithTakenEmail_IsA409BesideTheEmail()
    {
        var (_, tenantId, browser) = await SetupAsync();
        await _site.CreateMemberAsync(tenantId, "taken@contoso.test");

        using var response = await SubmitAsync(browser, "/manage/members", "/manage/members",
            ("email", "TAKEN@contoso.test"), ("firstName", ""), ("lastName", ""), ("role", MemberRoles.TeamMember));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(FieldError(await response.Content.ReadAsStringAsync(), "email"), Does.Contain("already has a member"));
    }

    [Test]
    public async Task CreateAccount_AsClientAdministrator_IsListedAsCreatedByAnAdministrator()
    {
        var (_, tenantId, browser) = await SetupAsync();

        using var response = await SubmitAsync(browser, "/manage/members", "/manage/members",
            ("email", "britta.simon@contoso.test"), ("firstName", "Britta"), ("lastName", "Simon"), ("role", MemberRoles.ClientAdministrator));

        AcsTestSite.AssertSeeOther(response, "/manage/members?done=created");
        var (_, html) = await ManageTestSite.GetAsync(browser, "/manage/members?done=created");
        Assert.That(html, Does.Contain("britta.simon@contoso.test").And.Contain("Britta Simon").And.Contain("Client Administrator")
            .And.Contain("by an administrator").And.Contain("never"));
        Assert.That(await _site.CountAsync("SELECT count(*) FROM members WHERE tenant_id = @tenantId AND role = 'client_administrator'", new { tenantId }),
            Is.EqualTo(1));
    }

    [Test]
    public async Task DisableAndRemove_EndTheMembersSessionsAtOnce()
    {
        var (subdomain, tenantId, browser) = await SetupAsync(withSso: true);
        using var member = await ManageTestSite.MemberBrowserAsync(_site, tenantId, subdomain, MemberRoles.TeamMember, "leaver@contoso.test");
        Guid memberId;
        await using (var connection = await _site.Db.OpenConnectionAsync())
        {
            memberId = await connection.QuerySingleAsync<Guid>("SELECT id FROM members WHERE tenant_id = @tenantId AND email = 'leaver@contoso.test'",
                new { tenantId });
        }

        Assert.That(await _site.CountAsync("SELECT count(*) FROM sessions WHERE member_id = @memberId", new { memberId }), Is.EqualTo(1));

        using var disabled = await SubmitAsync(browser, "/manage/members", $"/manage/members/{memberId}/status", ("status", MemberStatuses.Disabled));
        AcsTestSite.AssertSeeOther(disabled, "/manage/members?done=disabled");
        Assert.That(await _site.CountAsync("SELECT count(*) FROM sessions WHERE member_id = @memberId", new { memberId }), Is.Zero);
        using var me = await member.GetAsync(new Uri("/api/me", UriKind.Relative));
        Assert.That(me.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));

        using var enabled = await SubmitAsync(browser, "/manage/members", $"/manage/members/{memberId}/status", ("status", MemberStatuses.Active));
        AcsTestSite.AssertSeeOther(enabled, "/manage/members?done=enabled");

        using var removed = await SubmitAsync(browser, "/manage/members", $"/manage/members/{memberId}/remove");
        AcsTestSite.AssertSeeOther(removed, "/manage/members?done=removed");
        Assert.That(await _site.CountAsync("SELECT count(*) FROM members WHERE id = @memberId", new { memberId }), Is.Zero);
    }

    [Test]
    public async Task MemberActions_OnAnotherTenantsMember_Are404AndChangeNothing()
    {
        var (_, _, browser) = await SetupAsync();
        var otherTenant = await _site.CreateTenantAsync(NewSubdomain(), withSso: false);
        var victim = await _site.CreateMemberAsync(otherTenant, "victim@contoso.test");

        using var disable = await SubmitAsync(browser, "/manage/members", $"/manage/members/{victim}/status", ("status", MemberStatuses.Disabled));
        using var remove = await SubmitAsync(browser, "/manage/members", $"/manage/members/{victim}/remove");

        Assert.That(disable.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(remove.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await _site.CountAsync("SELECT count(*) FROM members WHERE id = @victim AND status = 'active'", new { victim }), Is.EqualTo(1));
    }
}
