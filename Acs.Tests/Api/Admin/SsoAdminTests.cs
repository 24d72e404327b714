using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Acs.Testing.Certificates;

namespace Acs.Tests.Api.Admin;

public sealed class SsoAdminTests : AdminApiTests
{
    private const string EntraTenant = "11111111-2222-3333-4444-555555555555";
    private const string TargetUrl = $"https://login.microsoftonline.com/{EntraTenant}/saml2";
    private const string EntityId = $"https://sts.windows.net/{EntraTenant}/";

    protected override string Purpose => "adminsso";

    [Test]
    public async Task PutSso_WithPastedPemOnly_Is200WithDefaultsAndTheCertificate()
    {
        var subdomain = await CreateTenantAsync();
        var certificate = TestCertificates.CreateValid();

        using var response = await Admin.PutAsJsonAsync($"/admin/tenants/{subdomain}/sso",
            new { ssoTargetUrl = TargetUrl, idpEntityId = EntityId, certificate = TestCertificates.EntraBase64Download(certificate) });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var sso = (await ReadJsonAsync(response)).GetProperty("sso");
        Assert.That(sso.GetProperty("ssoTargetUrl").GetString(), Is.EqualTo(TargetUrl));
        Assert.That(sso.GetProperty("idpEntityId").GetString(), Is.EqualTo(EntityId));
        Assert.That(sso.GetProperty("jitEnabled").GetBoolean(), Is.True);
        Assert.That(sso.GetProperty("defaultRole").GetString(), Is.EqualTo("team_member"));
        Assert.That(sso.GetProperty("allowedEmailDomains").GetArrayLength(), Is.Zero);
        Assert.That(sso.GetProperty("allowSha1").GetBoolean(), Is.False);
        Assert.That(sso.GetProperty("clockSkewSeconds").GetInt32(), Is.EqualTo(180));
        Assert.That(sso.GetProperty("roleMappings").EnumerateObject(), Is.Empty);
        Assert.That(sso.GetProperty("allowIdpInitiated").GetBoolean(), Is.True);
        var trusted = sso.GetProperty("certificates").EnumerateArray().Single();
        Assert.That(trusted.GetProperty("thumbprintSha256").GetString(), Is.EqualTo(TestCertificates.Sha256(certificate)));
        Assert.That(trusted.GetProperty("thumbprintSha1").GetString(), Is.EqualTo(TestCertificates.Sha1(certificate)));
        Assert.That(trusted.GetProperty("subject").GetString(), Is.EqualTo("CN=Microsoft Azure Federated SSO Certificate"));
        Assert.That(trusted.GetProperty("notAfter").GetDateTimeOffset(), Is.EqualTo(new DateTimeOffset(2029, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.That(trusted.GetProperty("status").GetString(), Is.EqualTo("valid"));
    }

    [Test]
    public async Task PutSso_WithEverySetting_StoresThemAndGetShowsThem()
    {
        var subdomain = await CreateTenantAsync();
        var certificate = TestCertificates.CreateValid();

        using var put = await Admin.PutAsJsonAsync($"/admin/tenants/{subdomain}/sso", new
        {
            ssoTargetUrl = TargetUrl,
            idpEntityId = EntityId,
            certificate = Convert.ToBase64String(certificate.RawData),
            jitEnabled = false,
            defaultRole = "client_administrator",
            allowedEmailDomains = new[] { "Acme.com", "acme.de" },
            allowSha1 = true,
            clockSkewSeconds = 600,
            roleMappings = new Dictionary<string, string> { ["StatusAdmins"] = "client_administrator", ["Staff"] = "team_member" },
            allowIdpInitiated = false,
        });
        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK), await put.Content.ReadAsStringAsync());

        using var get = await Admin.GetAsync(new Uri($"/admin/tenants/{subdomain}", UriKind.Relative));
        var sso = (await ReadJsonAsync(get)).GetProperty("sso");
        Assert.That(sso.GetProperty("jitEnabled").GetBoolean(), Is.False);
        Assert.That(sso.GetProperty("defaultRole").GetString(), Is.EqualTo("client_administrator"));
        Assert.That(sso.GetProperty("allowedEmailDomains").EnumerateArray().Select(d => d.GetString()), Is.EqualTo(new[] { "acme.com", "acme.de" }));
        Assert.That(sso.GetProperty("allowSha1").GetBoolean(), Is.True);
        Assert.That(sso.GetProperty("clockSkewSeconds").GetInt32(), Is.EqualTo(600));
        Assert.That(sso.GetProperty("roleMappings").GetProperty("StatusAdmins").GetString(), Is.EqualTo("client_administrator"));
        Assert.That(sso.GetProperty("roleMappings").GetProperty("Staff").GetString(), Is.EqualTo("team_member"));
        Assert.That(sso.GetProperty("allowIdpInitiated").GetBoolean(), Is.False);
        Assert.That(sso.GetProperty("certificates").GetArrayLength(), Is.EqualTo(1));
    }

    [Test]
    public async Task PutSso_Again_ReplacesTheTrustedCertificateSet()
    {
        var subdomain = await CreateTenantAsync();
        await ConfigureSsoAsync(subdomain, TestCertificates.CreateValid("Old"));
        var next = TestCertificates.CreateValid("New");

        var tenant = await ConfigureSsoAsync(subdomain, next);

        var thumbprints = tenant.GetProperty("sso").GetProperty("certificates").EnumerateArray().Select(c => c.GetProperty("thumbprintSha256").GetString());
        Assert.That(thumbprints, Is.EqualTo(new[] { TestCertificates.Sha256(next) }));
    }

    [Test]
    public async Task PutSso_UnknownTenant_Is404()
    {
        using var response = await Admin.PutAsJsonAsync("/admin/tenants/nobody-here/sso",
            new { ssoTargetUrl = TargetUrl, idpEntityId = EntityId, certificate = TestCertificates.CreateValid().ExportCertificatePem() });

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "tenant_not_found");
    }

    [TestCase("http://login.microsoftonline.com/x/saml2")]
    [TestCase("/saml2")]
    [TestCase("login.microsoftonline.com/x/saml2")]
    [TestCase("")]
    public async Task PutSso_WithSsoTargetUrlNotAbsoluteHttps_Is400(string url)
    {
        using var response = await PutSsoAsync(new { ssoTargetUrl = url, idpEntityId = EntityId, certificate = Pem() });

        var messages = await AssertValidationErrorAsync(response, "ssoTargetUrl");
        Assert.That(messages[0], Does.Contain("https"));
    }

    [TestCase("")]
    [TestCase("sts.windows.net/x/")]
    [TestCase("/relative")]
    public async Task PutSso_WithIdpEntityIdNotAbsoluteUri_Is400(string entityId)
    {
        using var response = await PutSsoAsync(new { ssoTargetUrl = TargetUrl, idpEntityId = entityId, certificate = Pem() });

        await AssertValidationErrorAsync(response, "idpEntityId");
    }

    [Test]
    public async Task PutSso_WithUrnEntityId_IsAccepted()
    {
        using var response = await PutSsoAsync(new { ssoTargetUrl = TargetUrl, idpEntityId = "urn:example:idp", certificate = Pem() });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    [TestCase(null, "certificate_missing")]
    [TestCase("this is not a certificate", "certificate_malformed")]
    [TestCase("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----", "certificate_private_key")]
    public async Task PutSso_WithBadCertificate_Is400WithTheParsersCode(string? certificate, string code)
    {
        using var response = await PutSsoAsync(new { ssoTargetUrl = TargetUrl, idpEntityId = EntityId, certificate });

        await AssertValidationErrorAsync(response, "certificate");
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.That(problem.GetProperty("errorCodes").GetProperty("certificate")[0].GetString(), Is.EqualTo(code));
    }

    [Test]
    public async Task PutSso_WithWeakKeyCertificate_Is400()
    {
        using var rsa = RSA.Create(1024);
        var request = new CertificateRequest("CN=Weak", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var weak = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));

        using var response = await PutSsoAsync(new { ssoTargetUrl = TargetUrl, idpEntityId = EntityId, certificate = weak.ExportCertificatePem() });

        var messages = await AssertValidationErrorAsync(response, "certificate");
        Assert.That(messages[0], Does.Contain("2048"));
    }

    [TestCase(-1)]
    [TestCase(601)]
    public async Task PutSso_WithClockSkewOutOfRange_Is400(int seconds)
    {
        using var response = await PutSsoAsync(new { ssoTargetUrl = TargetUrl, idpEntityId = EntityId, certificate = Pem(), clockSkewSeconds = seconds });

        await AssertValidationErrorAsync(response, "clockSkewSeconds");
    }

    [Test]
    public async Task PutSso_WithUnknownDefaultRole_Is400()
    {
        using var response = await PutSsoAsync(new { ssoTargetUrl = TargetUrl, idpEntityId = EntityId, certificate = Pem(), defaultRole = "owner" });

        await AssertValidationErrorAsync(response, "defaultRole");
    }

    [Test]
    public async Task PutSso_WithMalformedEmailDomain_Is400NamingIt()
    {
        using var response = await PutSsoAsync(new
        {
            ssoTargetUrl = TargetUrl,
            idpEntityId = EntityId,
            certificate = Pem(),
            allowedEmailDomains = new[] { "acme.com", "@acme.de" },
        });

        var messages = await AssertValidationErrorAsync(response, "allowedEmailDomains");
        Assert.That(messages[0], Does.Contain("'@acme.de'").And.Not.Contain("'acme.com'"));
    }

    [Test]
    public async Task PutSso_WithRoleMappingToUnknownRole_Is400NamingTheClaimValue()
    {
        using var response = await PutSsoAsync(new
        {
            ssoTargetUrl = TargetUrl,
            idpEntityId = EntityId,
            certificate = Pem(),
            roleMappings = new Dictionary<string, string> { ["Admins"] = "superuser" },
        });

        var messages = await AssertValidationErrorAsync(response, "roleMappings");
        Assert.That(messages[0], Does.Contain("Admins").And.Contain("superuser"));
    }

    [Test]
    public async Task PutSso_WithStringForBoolean_Is400NamingTheField()
    {
        var subdomain = await CreateTenantAsync();
        var json = JsonSerializer.Serialize(new { ssoTargetUrl = TargetUrl, idpEntityId = EntityId, certificate = Pem() })
            .Replace("}", ",\"jitEnabled\":\"yes\"}", StringComparison.Ordinal);

        using var response = await Admin.PutAsync(new Uri($"/admin/tenants/{subdomain}/sso", UriKind.Relative), RawJson(json));

        await AssertValidationErrorAsync(response, "jitEnabled");
    }

    [Test]
    public async Task Certificate_ExpiringWithin30Days_ShowsExpiringThenExpiredAsTheClockMoves()
    {
        var subdomain = await CreateTenantAsync();
        var now = Factory.Clock.GetUtcNow();
        await ConfigureSsoAsync(subdomain, TestCertificates.Create("Rolling", now.AddYears(-1), now.AddDays(45)));

        Assert.That(await CertificateStatusAsync(subdomain), Is.EqualTo(("valid", 45)));

        // The fake clock only moves forward; the other tests' certificates are valid for years either way.
        Factory.Clock.Advance(TimeSpan.FromDays(15));
        Assert.That(await CertificateStatusAsync(subdomain), Is.EqualTo(("expiring", 30)));

        Factory.Clock.Advance(TimeSpan.FromDays(29.5));
        Assert.That(await CertificateStatusAsync(subdomain), Is.EqualTo(("expiring", 1)));

        Factory.Clock.Advance(TimeSpan.FromDays(1.5));
        Assert.That(await CertificateStatusAsync(subdomain), Is.EqualTo(("expired", -1)));
    }

    private async Task<(string Status, int Days)> CertificateStatusAsync(string subdomain)
    {
        using var response = await Admin.GetAsync(new Uri($"/admin/tenants/{subdomain}", UriKind.Relative));
        var certificate = (await ReadJsonAsync(response)).GetProperty("sso").GetProperty("certificates")[0];
        return (certificate.GetProperty("status").GetString()!, certificate.GetProperty("expiresInDays").GetInt32());
    }

    private async Task<HttpResponseMessage> PutSsoAsync(object body)
    {
        var subdomain = await CreateTenantAsync();
        return await Admin.PutAsJsonAsync($"/admin/tenants/{subdomain}/sso", body);
    }

    private static string Pem() => TestCertificates.CreateValid().ExportCertificatePem();
}
