using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Acs.Tests.TestInfrastructure;
using Npgsql;

namespace Acs.Tests.Api.Admin;

/// <summary>One service over its own database per test class; tests use fresh subdomains so they do not meet.</summary>
public abstract class AdminApiTests
{
    protected AcsApiFactory Factory { get; private set; } = null!;

    protected HttpClient Admin { get; private set; } = null!;

    protected NpgsqlDataSource Database { get; private set; } = null!;

    protected abstract string Purpose { get; }

    [OneTimeSetUp]
    public async Task StartService()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync(Purpose);
        Factory = new AcsApiFactory(connectionString);
        Admin = Factory.CreateAdminClient();
        Database = NpgsqlDataSource.Create(connectionString);
    }

    [OneTimeTearDown]
    public async Task StopService()
    {
        Admin.Dispose();
        await Database.DisposeAsync();
        await Factory.DisposeAsync();
    }

    protected static string NewSubdomain() => "t" + Guid.NewGuid().ToString("N")[..10];

    protected async Task<string> CreateTenantAsync(string? subdomain = null)
    {
        subdomain ??= NewSubdomain();
        using var response = await Admin.PostAsJsonAsync("/admin/tenants", new { subdomain, displayName = $"Company {subdomain}" });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return subdomain;
    }

    protected async Task<JsonElement> ConfigureSsoAsync(string subdomain, X509Certificate2 certificate)
    {
        using var response = await Admin.PutAsJsonAsync($"/admin/tenants/{subdomain}/sso", new
        {
            ssoTargetUrl = "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/saml2",
            idpEntityId = "https://sts.windows.net/11111111-2222-3333-4444-555555555555/",
            certificate = certificate.ExportCertificatePem(),
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await ReadJsonAsync(response);
    }

    protected static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    /// <summary>Asserts a 400 validation problem naming <paramref name="field"/>, and returns its messages.</summary>
    protected static async Task<string[]> AssertValidationErrorAsync(HttpResponseMessage response, string field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), text);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors");
        Assert.That(errors.TryGetProperty(field, out var messages), Is.True, $"no error for '{field}' in {text}");
        var list = messages.EnumerateArray().Select(m => m.GetString()!).ToArray();
        Assert.That(list, Is.Not.Empty);
        Assert.That(list, Has.All.Length.GreaterThan(10), "each message is a sentence for a person");
        return list;
    }

    /// <summary>Asserts a problem-details answer with the status and the stable code.</summary>
    protected static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), text);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), text);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.That(problem.GetProperty("status").GetInt32(), Is.EqualTo((int)status));
        Assert.That(problem.GetProperty("code").GetString(), Is.EqualTo(code), text);
        return problem;
    }

    protected static StringContent RawJson(string json, string contentType = "application/json") => new(json, Encoding.UTF8, contentType);
}

/// <summary>Self-signed RSA-2048 certificates with chosen validity; one key serves all, which keeps the tests fast.</summary>
public static class TestCertificates
{
    private static readonly Lazy<RSA> Key = new(() => RSA.Create(2048));

    public static X509Certificate2 Create(string commonName, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var request = new CertificateRequest($"CN={commonName}", Key.Value, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var withKey = request.CreateSelfSigned(notBefore, notAfter);
        return X509CertificateLoader.LoadCertificate(withKey.RawData);
    }

    /// <summary>Valid for years around the factory's fake clock.</summary>
    public static X509Certificate2 CreateValid(string commonName = "Microsoft Azure Federated SSO Certificate") =>
        Create(commonName, new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2029, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public static string Sha256(X509Certificate2 certificate) => Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));

    public static string Sha1(X509Certificate2 certificate) => Convert.ToHexString(SHA1.HashData(certificate.RawData));

    /// <summary>Entra's "Certificate (Base64)" download: PEM with CRLF line ends.</summary>
    public static string EntraBase64Download(X509Certificate2 certificate) => certificate.ExportCertificatePem().Replace("\n", "\r\n", StringComparison.Ordinal);
}

/// <summary>A Federation Metadata XML shaped like Entra's: signature, a WS-Federation RoleDescriptor, then the IDPSSODescriptor.</summary>
public static class EntraMetadata
{
    public static string Build(Guid entraTenant, params X509Certificate2[] signing)
    {
        var keys = string.Concat(signing.Select(c => $"""
            <KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>{Convert.ToBase64String(c.RawData)}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>
            """));
        // The RoleDescriptor carries a certificate the parser must not pick up: it reads the IDPSSODescriptor only.
        var roleDescriptorCertificate = Convert.ToBase64String(TestCertificates.CreateValid("RoleDescriptor only").RawData);
        return $"""
            <?xml version="1.0" encoding="utf-8"?>
            <EntityDescriptor ID="_7d1c2a3b-0000-4000-8000-000000000001" entityID="https://sts.windows.net/{entraTenant}/" xmlns="urn:oasis:names:tc:SAML:2.0:metadata">
              <Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo><CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#" /><SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" /><Reference URI="#_7d1c2a3b-0000-4000-8000-000000000001"><Transforms><Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature" /><Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#" /></Transforms><DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256" /><DigestValue>AAAA</DigestValue></Reference></SignedInfo><SignatureValue>AAAA</SignatureValue></Signature>
              <RoleDescriptor xsi:type="fed:SecurityTokenServiceType" protocolSupportEnumeration="http://docs.oasis-open.org/wsfed/federation/200706" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:fed="http://docs.oasis-open.org/wsfed/federation/200706">
                <KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>{roleDescriptorCertificate}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>
                <fed:ClaimTypesOffered><auth:ClaimType Uri="http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name" xmlns:auth="http://docs.oasis-open.org/wsfed/authorization/200706"><auth:DisplayName>Name</auth:DisplayName></auth:ClaimType></fed:ClaimTypesOffered>
                <fed:PassiveRequestorEndpoint><wsa:EndpointReference xmlns:wsa="http://www.w3.org/2005/08/addressing"><wsa:Address>https://login.microsoftonline.com/{entraTenant}/wsfed</wsa:Address></wsa:EndpointReference></fed:PassiveRequestorEndpoint>
              </RoleDescriptor>
              <IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
                {keys}
                <SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://login.microsoftonline.com/{entraTenant}/saml2" />
                <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://login.microsoftonline.com/{entraTenant}/saml2" />
                <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://login.microsoftonline.com/{entraTenant}/saml2" />
              </IDPSSODescriptor>
            </EntityDescriptor>
            """;
    }
}
