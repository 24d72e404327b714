using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Xml;
using Acs.Core.EncryptionKeys;
using Acs.Core.Tenants;
using Acs.Testing.Certificates;
using Acs.Tests.TestInfrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Acs.Tests.Api.Admin;

/// <summary>The encryption-key routes: generate, list, change the status, remove, download; the SP metadata; the
/// policy on PUT …/sso; and that private keys are stored sealed and never returned.</summary>
public sealed class EncryptionKeyAdminTests : AdminApiTests
{
    protected override string Purpose => "adminenckeys";

    [Test]
    public async Task CreateKey_WithoutBody_Is201WithAnActiveRsa3072KeyAndItsCertificate()
    {
        var subdomain = await CreateTenantAsync();

        using var response = await Admin.PostAsync($"/admin/tenants/{subdomain}/sso/encryption-keys", null);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var key = await ReadJsonAsync(response);
        var id = key.GetProperty("id").GetGuid();
        Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"/admin/tenants/{subdomain}/sso/encryption-keys/{id}"));
        Assert.That(key.GetProperty("status").GetString(), Is.EqualTo("active"));
        var der = Convert.FromBase64String(key.GetProperty("certificate").GetString()!);
        using var certificate = X509CertificateLoader.LoadCertificate(der);
        using var publicKey = certificate.GetRSAPublicKey();
        Assert.That(publicKey!.KeySize, Is.EqualTo(3072));
        Assert.That(certificate.HasPrivateKey, Is.False);
        Assert.That(key.GetProperty("thumbprintSha256").GetString(), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(der))));
        Assert.That(key.GetProperty("thumbprintSha1").GetString(), Is.EqualTo(Convert.ToHexString(SHA1.HashData(der))));
        Assert.That(key.GetProperty("notAfter").GetDateTimeOffset(), Is.EqualTo(new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero)));
        Assert.That(key.GetProperty("notAfter").GetDateTimeOffset(), Is.GreaterThan(Factory.Clock.GetUtcNow().AddYears(2)));
        Assert.That(certificate.Subject, Does.Contain(subdomain));
        Assert.That(key.GetProperty("certificateUrl").GetString(), Is.EqualTo($"/admin/tenants/{subdomain}/sso/encryption-keys/{id}/certificate"));
    }

    [Test]
    public async Task CreateKey_AsDecryptOnly_IsNotPublishedInTheMetadata()
    {
        var subdomain = await CreateTenantAsync();

        var key = await CreateKeyAsync(subdomain, new { status = "decrypt-only" });

        Assert.That(key.GetProperty("status").GetString(), Is.EqualTo("decrypt-only"));
        Assert.That(await PublishedCertificatesAsync(subdomain), Is.Empty);
    }

    [TestCase("""{"status":"removed"}""", "status")]
    [TestCase("""{"status":7}""", "status")]
    [TestCase("not json", "body")]
    public async Task CreateKey_WithInvalidBody_Is400(string json, string field)
    {
        var subdomain = await CreateTenantAsync();

        using var response = await Admin.PostAsync($"/admin/tenants/{subdomain}/sso/encryption-keys", RawJson(json));

        await AssertValidationErrorAsync(response, field);
    }

    [Test]
    public async Task CreateKey_ForUnknownTenant_Is404()
    {
        using var response = await Admin.PostAsync("/admin/tenants/nobody-here/sso/encryption-keys", null);

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "tenant_not_found");
    }

    [Test]
    public async Task CreateKey_WhenTheServiceHasNoKeyEncryptionKey_Is409()
    {
        await using var withoutKek = new AcsApiFactory(Factory.ConnectionString, new Dictionary<string, string?> { ["Acs:EncryptionKeys:KeyEncryptionKey"] = null });
        using var admin = withoutKek.CreateAdminClient();
        var subdomain = await CreateTenantAsync();

        using var response = await admin.PostAsync($"/admin/tenants/{subdomain}/sso/encryption-keys", null);

        var problem = await AssertProblemAsync(response, HttpStatusCode.Conflict, EncryptionKeyErrorCodes.KeyEncryptionKeyNotConfigured);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("Acs__EncryptionKeys__KeyEncryptionKey"));
    }

    [Test]
    public async Task ListKeys_ReturnsEveryKeyOldestFirst()
    {
        var subdomain = await CreateTenantAsync();
        var first = await CreateKeyAsync(subdomain);
        Factory.Clock.Advance(TimeSpan.FromMinutes(1));
        var second = await CreateKeyAsync(subdomain, new { status = "decrypt-only" });

        using var response = await Admin.GetAsync($"/admin/tenants/{subdomain}/sso/encryption-keys");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var items = (await ReadJsonAsync(response)).GetProperty("items").EnumerateArray().ToList();
        Assert.That(items.Select(i => i.GetProperty("id").GetGuid()), Is.EqualTo(new[] { first.GetProperty("id").GetGuid(), second.GetProperty("id").GetGuid() }));
        Assert.That(items.Select(i => i.GetProperty("status").GetString()), Is.EqualTo(new[] { "active", "decrypt-only" }));
    }

    [Test]
    public async Task PatchKey_ChangesTheStatus_AndTheMetadataPublishesOnlyActiveKeys()
    {
        var subdomain = await CreateTenantAsync();
        var old = await CreateKeyAsync(subdomain);
        var next = await CreateKeyAsync(subdomain);
        Assert.That(await PublishedCertificatesAsync(subdomain), Is.EquivalentTo(new[] { Certificate(old), Certificate(next) }));

        using var response = await Admin.PatchAsJsonAsync($"/admin/tenants/{subdomain}/sso/encryption-keys/{Id(old)}", new { status = "decrypt-only" });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That((await ReadJsonAsync(response)).GetProperty("status").GetString(), Is.EqualTo("decrypt-only"));
        Assert.That(await PublishedCertificatesAsync(subdomain), Is.EqualTo(new[] { Certificate(next) }));
    }

    [Test]
    public async Task PatchKey_ToRemoved_Is400SayingToUseDelete()
    {
        var subdomain = await CreateTenantAsync();
        var key = await CreateKeyAsync(subdomain);

        using var response = await Admin.PatchAsJsonAsync($"/admin/tenants/{subdomain}/sso/encryption-keys/{Id(key)}", new { status = "removed" });

        Assert.That(await AssertValidationErrorAsync(response, "status"), Has.Some.Contains("DELETE"));
    }

    [Test]
    public async Task PatchKey_Unknown_Is404()
    {
        var subdomain = await CreateTenantAsync();

        using var response = await Admin.PatchAsJsonAsync($"/admin/tenants/{subdomain}/sso/encryption-keys/{Guid.NewGuid()}", new { status = "active" });

        await AssertProblemAsync(response, HttpStatusCode.NotFound, EncryptionKeyErrorCodes.EncryptionKeyNotFound);
    }

    [Test]
    public async Task DeleteKey_Is204AndTheKeyIsGone()
    {
        var subdomain = await CreateTenantAsync();
        var key = await CreateKeyAsync(subdomain);

        using var response = await Admin.DeleteAsync($"/admin/tenants/{subdomain}/sso/encryption-keys/{Id(key)}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        using var read = await Admin.GetAsync($"/admin/tenants/{subdomain}/sso/encryption-keys/{Id(key)}");
        await AssertProblemAsync(read, HttpStatusCode.NotFound, EncryptionKeyErrorCodes.EncryptionKeyNotFound);
        Assert.That(await PublishedCertificatesAsync(subdomain), Is.Empty);
    }

    [Test]
    public async Task DeleteKey_OfAnotherTenant_Is404AndLeavesItAlone()
    {
        var owner = await CreateTenantAsync();
        var other = await CreateTenantAsync();
        var key = await CreateKeyAsync(owner);

        using var response = await Admin.DeleteAsync($"/admin/tenants/{other}/sso/encryption-keys/{Id(key)}");

        await AssertProblemAsync(response, HttpStatusCode.NotFound, EncryptionKeyErrorCodes.EncryptionKeyNotFound);
        Assert.That(await PublishedCertificatesAsync(owner), Is.EqualTo(new[] { Certificate(key) }));
    }

    [Test]
    public async Task DeleteKey_LastOneWhileEncryptionIsRequired_Is409()
    {
        var subdomain = await CreateTenantAsync();
        var key = await CreateKeyAsync(subdomain);
        await ConfigureSsoAsync(subdomain, "required");

        using var response = await Admin.DeleteAsync($"/admin/tenants/{subdomain}/sso/encryption-keys/{Id(key)}");

        await AssertProblemAsync(response, HttpStatusCode.Conflict, EncryptionKeyErrorCodes.LastEncryptionKey);
    }

    [Test]
    public async Task DownloadCertificate_IsACerFileOfTheKeysCertificateWithoutThePrivateKey()
    {
        var subdomain = await CreateTenantAsync();
        var key = await CreateKeyAsync(subdomain);

        using var response = await Admin.GetAsync($"/admin/tenants/{subdomain}/sso/encryption-keys/{Id(key)}/certificate");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentDisposition?.FileName?.Trim('"'), Does.EndWith(".cer"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(text, Does.StartWith("-----BEGIN CERTIFICATE-----"));
        Assert.That(text, Does.Not.Contain("PRIVATE KEY"));
        using var certificate = X509Certificate2.CreateFromPem(text);
        Assert.That(certificate.RawData, Is.EqualTo(Certificate(key)));
    }

    [Test]
    public async Task DownloadCertificate_OfUnknownKey_Is404()
    {
        var subdomain = await CreateTenantAsync();

        using var response = await Admin.GetAsync($"/admin/tenants/{subdomain}/sso/encryption-keys/{Guid.NewGuid()}/certificate");

        await AssertProblemAsync(response, HttpStatusCode.NotFound, EncryptionKeyErrorCodes.EncryptionKeyNotFound);
    }

    [Test]
    public async Task Metadata_PublishesTheActiveKeyAsAnEncryptionKeyDescriptor()
    {
        var subdomain = await CreateTenantAsync();
        var key = await CreateKeyAsync(subdomain);

        var metadata = await MetadataAsync(subdomain);

        var namespaces = new XmlNamespaceManager(metadata.NameTable);
        namespaces.AddNamespace("md", "urn:oasis:names:tc:SAML:2.0:metadata");
        namespaces.AddNamespace("ds", "http://www.w3.org/2000/09/xmldsig#");
        var descriptor = (XmlElement)metadata.SelectSingleNode("/md:EntityDescriptor/md:SPSSODescriptor/md:KeyDescriptor", namespaces)!;
        Assert.That(descriptor.GetAttribute("use"), Is.EqualTo("encryption"));
        Assert.That(descriptor.SelectSingleNode("ds:KeyInfo/ds:X509Data/ds:X509Certificate", namespaces)!.InnerText,
            Is.EqualTo(key.GetProperty("certificate").GetString()));
        Assert.That(descriptor.SelectNodes("md:EncryptionMethod/@Algorithm", namespaces)!.Cast<XmlAttribute>().Select(a => a.Value),
            Does.Contain("http://www.w3.org/2001/04/xmlenc#aes256-cbc").And.Contain("http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"));
        Assert.That(descriptor.PreviousSibling is null or XmlWhitespace, Is.True, "KeyDescriptor comes first in SPSSODescriptor");
    }

    [Test]
    public async Task PutSso_WithEncryptedAssertionsRequired_IsStoredAndShown()
    {
        var subdomain = await CreateTenantAsync();
        await CreateKeyAsync(subdomain);

        var tenant = await ConfigureSsoAsync(subdomain, "required");

        Assert.That(tenant.GetProperty("sso").GetProperty("encryptedAssertions").GetString(), Is.EqualTo("required"));
        using var read = await Admin.GetAsync($"/admin/tenants/{subdomain}");
        Assert.That((await ReadJsonAsync(read)).GetProperty("sso").GetProperty("encryptedAssertions").GetString(), Is.EqualTo("required"));
        using var list = await Admin.GetAsync("/admin/tenants?limit=200");
        var listed = (await ReadJsonAsync(list)).GetProperty("items").EnumerateArray().Single(t => t.GetProperty("subdomain").GetString() == subdomain);
        Assert.That(listed.GetProperty("sso").GetProperty("encryptedAssertions").GetString(), Is.EqualTo("required"));
    }

    [Test]
    public async Task PutSso_WithoutThePolicy_DefaultsToOptional()
    {
        var subdomain = await CreateTenantAsync();

        var tenant = await ConfigureSsoAsync(subdomain, TestCertificates.CreateValid());

        Assert.That(tenant.GetProperty("sso").GetProperty("encryptedAssertions").GetString(), Is.EqualTo("optional"));
    }

    [Test]
    public async Task PutSso_RequiringEncryptionWithoutAnyKey_Is409()
    {
        var subdomain = await CreateTenantAsync();

        using var response = await PutSsoAsync(subdomain, "required");

        await AssertProblemAsync(response, HttpStatusCode.Conflict, EncryptionKeyErrorCodes.EncryptionKeysMissing);
    }

    [Test]
    public async Task PutSso_WithUnknownPolicy_Is400()
    {
        var subdomain = await CreateTenantAsync();

        using var response = await PutSsoAsync(subdomain, "always");

        await AssertValidationErrorAsync(response, "encryptedAssertions");
    }

    [Test]
    public async Task PrivateKey_IsStoredSealed_TheRawRowHoldsNoPrivateKeyMaterialInTheClear()
    {
        var subdomain = await CreateTenantAsync();
        var key = await CreateKeyAsync(subdomain);
        // The service's own view of the key (the login path's), to know what must not be in the row.
        var tenant = await Factory.Services.GetRequiredService<ITenantDirectory>().FindBySubdomainAsync(subdomain, CancellationToken.None);
        var rsa = Factory.Services.GetRequiredService<SpDecryptionKeys>().For(tenant!).Single().PrivateKey!;
        var parameters = rsa.ExportParameters(includePrivateParameters: true);
        byte[][] secrets = [rsa.ExportPkcs8PrivateKey(), rsa.ExportRSAPrivateKey(), parameters.D!, parameters.P!, parameters.Q!, parameters.DP!, parameters.DQ!];
        using var certificate = X509CertificateLoader.LoadCertificate(Certificate(key));
        using var certificateKey = certificate.GetRSAPublicKey()!;
        Assert.That(parameters.Modulus, Is.EqualTo(certificateKey.ExportParameters(false).Modulus), "the key read is the certificate's");

        await using var connection = await Database.OpenConnectionAsync();
        var row = await connection.QuerySingleAsync<(byte[] Sealed, string KekId, string Json)>(
            "SELECT private_key_sealed, kek_id, row_to_json(k)::text FROM sp_encryption_keys k WHERE id = @id", new { id = Id(key) });

        var everything = row.Sealed.Concat(Encoding.UTF8.GetBytes(row.Json)).ToArray();
        foreach (var secret in secrets)
        {
            var material = secret[..16];
            Assert.That(Contains(everything, material), Is.False, "private key bytes in the clear");
            Assert.That(row.Json, Does.Not.Contain(Convert.ToHexString(material)).IgnoreCase, "private key bytes as hex");
            Assert.That(row.Json, Does.Not.Contain(Convert.ToBase64String(secret)[..20]), "private key bytes as base64");
        }

        Assert.That(row.Json, Does.Not.Contain("PRIVATE KEY"));
        Assert.That(row.KekId, Is.EqualTo(KeyEncryptionKeyRing.IdOf(Convert.FromBase64String(AcsApiFactory.KeyEncryptionKey))));
        // And it is the private key, sealed: the operator's KEK opens it.
        var ring = new KeyEncryptionKeyRing(Convert.FromBase64String(AcsApiFactory.KeyEncryptionKey), []);
        var opened = ring.TryUnseal(tenant!.Id, Id(key), new SealedPrivateKey(row.KekId, row.Sealed));
        Assert.That(opened, Is.EqualTo(secrets[0]));
        Assert.That(new KeyEncryptionKeyRing(RandomNumberGenerator.GetBytes(32), []).TryUnseal(tenant.Id, Id(key), new SealedPrivateKey(row.KekId, row.Sealed)),
            Is.Null, "another KEK does not open it");
    }

    [Test]
    public async Task PrivateKey_NeverLeavesTheService()
    {
        var subdomain = await CreateTenantAsync();
        var created = await CreateKeyAsync(subdomain);
        var tenant = await Factory.Services.GetRequiredService<ITenantDirectory>().FindBySubdomainAsync(subdomain, CancellationToken.None);
        var d = Factory.Services.GetRequiredService<SpDecryptionKeys>().For(tenant!).Single().PrivateKey!.ExportParameters(true).D!;

        var answers = new List<string> { created.GetRawText() };
        foreach (var path in new[] { "", $"/{Id(created)}", $"/{Id(created)}/certificate" })
        {
            using var response = await Admin.GetAsync($"/admin/tenants/{subdomain}/sso/encryption-keys{path}");
            answers.Add(await response.Content.ReadAsStringAsync());
        }

        using (var tenantResponse = await Admin.GetAsync($"/admin/tenants/{subdomain}"))
        {
            answers.Add(await tenantResponse.Content.ReadAsStringAsync());
        }

        answers.Add((await MetadataAsync(subdomain)).OuterXml);
        foreach (var answer in answers)
        {
            Assert.That(answer, Does.Not.Contain("PRIVATE KEY"));
            Assert.That(answer, Does.Not.Contain(Convert.ToBase64String(d)[..20]));
            Assert.That(answer, Does.Not.Contain("sealed").IgnoreCase);
            Assert.That(answer, Does.Not.Contain("kekId").IgnoreCase);
        }
    }

    [Test]
    public async Task OpenApiDocument_DescribesTheEncryptionKeyRoutes()
    {
        using var client = Factory.CreateClient();

        using var response = await client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));

        var paths = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("paths");
        var expected = new Dictionary<string, string[]>
        {
            ["/admin/tenants/{subdomain}/sso/encryption-keys"] = ["get", "post"],
            ["/admin/tenants/{subdomain}/sso/encryption-keys/{id}"] = ["get", "patch", "delete"],
            ["/admin/tenants/{subdomain}/sso/encryption-keys/{id}/certificate"] = ["get"],
        };
        foreach (var (path, methods) in expected)
        {
            Assert.That(paths.TryGetProperty(path, out var item), Is.True, $"missing {path}");
            Assert.That(methods.All(m => item.TryGetProperty(m, out _)), Is.True, $"missing a method of {path}");
        }
    }

    private async Task<JsonElement> CreateKeyAsync(string subdomain, object? body = null)
    {
        using var response = body is null
            ? await Admin.PostAsync($"/admin/tenants/{subdomain}/sso/encryption-keys", null)
            : await Admin.PostAsJsonAsync($"/admin/tenants/{subdomain}/sso/encryption-keys", body);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return await ReadJsonAsync(response);
    }

    private Task<HttpResponseMessage> PutSsoAsync(string subdomain, string encryptedAssertions) =>
        Admin.PutAsJsonAsync($"/admin/tenants/{subdomain}/sso", new
        {
            ssoTargetUrl = "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/saml2",
            idpEntityId = "https://sts.windows.net/11111111-2222-3333-4444-555555555555/",
            certificate = TestCertificates.CreateValid().ExportCertificatePem(),
            encryptedAssertions,
        });

    private async Task<JsonElement> ConfigureSsoAsync(string subdomain, string encryptedAssertions)
    {
        using var response = await PutSsoAsync(subdomain, encryptedAssertions);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await ReadJsonAsync(response);
    }

    private async Task<XmlDocument> MetadataAsync(string subdomain)
    {
        using var client = Factory.CreateTenantClient(subdomain);
        var xml = await client.GetStringAsync(new Uri("/sso/saml/metadata", UriKind.Relative));
        var document = new XmlDocument();
        document.LoadXml(xml);
        return document;
    }

    private async Task<List<byte[]>> PublishedCertificatesAsync(string subdomain)
    {
        var metadata = await MetadataAsync(subdomain);
        return metadata.GetElementsByTagName("X509Certificate", "http://www.w3.org/2000/09/xmldsig#").Cast<XmlElement>()
            .Select(e => Convert.FromBase64String(e.InnerText)).ToList();
    }

    private static Guid Id(JsonElement key) => key.GetProperty("id").GetGuid();

    private static byte[] Certificate(JsonElement key) => Convert.FromBase64String(key.GetProperty("certificate").GetString()!);

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
