using System.Net;
using System.Net.Http.Json;
using System.Text;
using Acs.Testing.Certificates;
using Acs.Testing.TestIdp;

namespace Acs.Tests.Api.Admin;

public sealed class MetadataImportTests : AdminApiTests
{
    protected override string Purpose => "adminmetadata";

    [TestCase("application/xml")]
    [TestCase("text/xml")]
    public async Task ImportMetadata_FromEntraWithTwoSigningCertificates_SetsIdpAndBothCertificates(string contentType)
    {
        var subdomain = await CreateTenantAsync();
        var entraTenant = Guid.NewGuid();
        var first = TestCertificates.CreateValid("Microsoft Azure Federated SSO Certificate");
        var second = TestCertificates.CreateValid("Microsoft Azure Federated SSO Certificate (next)");

        using var response = await ImportAsync(subdomain, EntraMetadata.Build(entraTenant, first, second), contentType);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var sso = (await ReadJsonAsync(response)).GetProperty("sso");
        Assert.That(sso.GetProperty("idpEntityId").GetString(), Is.EqualTo($"https://sts.windows.net/{entraTenant}/"));
        Assert.That(sso.GetProperty("ssoTargetUrl").GetString(), Is.EqualTo($"https://login.microsoftonline.com/{entraTenant}/saml2"));
        var thumbprints = sso.GetProperty("certificates").EnumerateArray().Select(c => c.GetProperty("thumbprintSha256").GetString());
        Assert.That(thumbprints, Is.EquivalentTo(new[] { TestCertificates.Sha256(first), TestCertificates.Sha256(second) }),
            "both IDPSSODescriptor signing certificates, and not the RoleDescriptor's");
    }

    [Test]
    public async Task ImportMetadata_KeepsTheOtherSettings()
    {
        var subdomain = await CreateTenantAsync();
        using (var put = await Admin.PutAsJsonAsync($"/admin/tenants/{subdomain}/sso", new
        {
            ssoTargetUrl = "https://idp.example.com/sso",
            idpEntityId = "https://idp.example.com/",
            certificate = TestCertificates.CreateValid("Before").ExportCertificatePem(),
            jitEnabled = false,
            defaultRole = "client_administrator",
            allowedEmailDomains = new[] { "acme.com" },
            clockSkewSeconds = 60,
            roleMappings = new Dictionary<string, string> { ["Admins"] = "client_administrator" },
        }))
        {
            Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        using var response = await ImportAsync(subdomain, EntraMetadata.Build(Guid.NewGuid(), TestCertificates.CreateValid("After")));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var sso = (await ReadJsonAsync(response)).GetProperty("sso");
        Assert.That(sso.GetProperty("jitEnabled").GetBoolean(), Is.False);
        Assert.That(sso.GetProperty("defaultRole").GetString(), Is.EqualTo("client_administrator"));
        Assert.That(sso.GetProperty("allowedEmailDomains")[0].GetString(), Is.EqualTo("acme.com"));
        Assert.That(sso.GetProperty("clockSkewSeconds").GetInt32(), Is.EqualTo(60));
        Assert.That(sso.GetProperty("roleMappings").GetProperty("Admins").GetString(), Is.EqualTo("client_administrator"));
        Assert.That(sso.GetProperty("certificates").EnumerateArray().Select(c => c.GetProperty("subject").GetString()), Is.EqualTo(new[] { "CN=After" }));
    }

    [Test]
    public async Task ImportMetadata_Garbage_Is400WithReason()
    {
        var subdomain = await CreateTenantAsync();

        using var response = await ImportAsync(subdomain, "this is <not xml");

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "xml_malformed");
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("not well-formed"));
    }

    [Test]
    public async Task ImportMetadata_WithDoctype_Is400AndNothingIsExpanded()
    {
        var subdomain = await CreateTenantAsync();
        const string xml = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
            <EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com/">&lol2;</EntityDescriptor>
            """;

        using var response = await ImportAsync(subdomain, xml);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "xml_dtd_forbidden");
    }

    [Test]
    public async Task ImportMetadata_OfAnotherKindOfXml_Is400()
    {
        var subdomain = await CreateTenantAsync();

        using var response = await ImportAsync(subdomain, "<html><body>Sign in</body></html>");

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "metadata_not_entity_descriptor");
    }

    [Test]
    public async Task ImportMetadata_WithoutSigningCertificate_Is400()
    {
        var subdomain = await CreateTenantAsync();
        var xml = EntraMetadata.Build(Guid.NewGuid());

        using var response = await ImportAsync(subdomain, xml);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "metadata_no_signing_certificate");
    }

    [Test]
    public async Task ImportMetadata_WithoutRedirectBinding_Is400()
    {
        var subdomain = await CreateTenantAsync();
        var xml = EntraMetadata.Build(Guid.NewGuid(), TestCertificates.CreateValid())
            .Replace("<SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\"", "<SingleSignOnService Binding=\"urn:other\"", StringComparison.Ordinal);

        using var response = await ImportAsync(subdomain, xml);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "metadata_no_redirect_sso");
    }

    [Test]
    public async Task ImportMetadata_AsJson_Is400ContentType()
    {
        var subdomain = await CreateTenantAsync();

        using var response = await ImportAsync(subdomain, EntraMetadata.Build(Guid.NewGuid(), TestCertificates.CreateValid()), "application/json");

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "content_type_unsupported");
    }

    [Test]
    public async Task ImportMetadata_UnknownTenant_Is404()
    {
        using var response = await ImportAsync("nobody-here", EntraMetadata.Build(Guid.NewGuid(), TestCertificates.CreateValid()));

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "tenant_not_found");
    }

    private Task<HttpResponseMessage> ImportAsync(string subdomain, string xml, string contentType = "application/xml") =>
        Admin.PostAsync(new Uri($"/admin/tenants/{subdomain}/sso/metadata", UriKind.Relative), new StringContent(xml, Encoding.UTF8, contentType));
}
