using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Acs.Api.Hosting;
using Acs.Core.EncryptionKeys;
using Acs.Testing.TestIdp;
using Acs.Tests.Core.Saml.Encryption;
using Acs.Tests.TestInfrastructure;
using Dapper;
using Microsoft.Extensions.Configuration;

namespace Acs.Tests.Api.Admin;

/// <summary>The key-encryption key setting and its rotation: the service re-seals every private key under the new KEK
/// at start-up, after which the old KEK can go; a KEK that is not configured opens nothing.</summary>
[NonParallelizable]
public sealed class KeyEncryptionKeyRotationTests : AdminApiTests
{
    protected override string Purpose => "adminkekrotation";

    [Test]
    public async Task Rotation_ResealsUnderTheNewKeyEncryptionKey_AndSignInKeepsWorking()
    {
        var (subdomain, keyId, certificate) = await TenantWithKeyAsync();
        var newKek = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

        // Step 1 of the rotation: the new KEK current, the old one still listed.
        await using (var rotated = Service(newKek, AcsApiFactory.KeyEncryptionKey))
        {
            _ = rotated.Server;
            await WaitForKekAsync(keyId, KeyEncryptionKeyRing.IdOf(Convert.FromBase64String(newKek)));
            await AssertSignsInAsync(rotated, subdomain, certificate);
        }

        // Step 2: the old KEK removed; the re-sealed key still opens.
        await using var newOnly = Service(newKek);
        await AssertSignsInAsync(newOnly, subdomain, certificate);
    }

    [Test]
    public async Task SignIn_WhenThePrivateKeysKekIsNotConfigured_IsRefusedSayingSo()
    {
        var (subdomain, _, certificate) = await TenantWithKeyAsync();
        await using var other = Service(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        using var browser = other.CreateTenantClient(subdomain);

        using var response = await AcsTestSite.PostAsync(browser, Encrypted(subdomain, certificate), json: true);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        using var admin = other.CreateAdminClient();
        var events = await ReadJsonAsync(await admin.GetAsync($"/admin/tenants/{subdomain}/login-events?outcome=failure&limit=1"));
        Assert.That(events[0].GetProperty("errorCode").GetString(), Is.EqualTo("assertion_decryption_failed"));
        Assert.That(events[0].GetProperty("message").GetString(), Does.Contain("cannot be unsealed"));
    }

    [TestCase("not base64 at all", Description = "not base64")]
    [TestCase("AAECAwQFBgcICQoLDA0ODw==", Description = "16 bytes")]
    public void Settings_WithMalformedKeyEncryptionKey_NameTheVariable(string value)
    {
        var (settings, errors) = AcsSettings.Load(Configuration(new() { ["Acs:EncryptionKeys:KeyEncryptionKey"] = value }));

        Assert.That(settings, Is.Null);
        Assert.That(errors, Has.Some.StartsWith("Acs__EncryptionKeys__KeyEncryptionKey is not the base64 of 32 random bytes"));
    }

    [Test]
    public void Settings_WithOtherKeksButNoCurrentOne_AreRefused()
    {
        var (settings, errors) = AcsSettings.Load(Configuration(new() { ["Acs:EncryptionKeys:OtherKeyEncryptionKeys:0"] = AcsApiFactory.KeyEncryptionKey }));

        Assert.That(settings, Is.Null);
        Assert.That(errors, Has.Some.Contains("Acs__EncryptionKeys__OtherKeyEncryptionKeys"));
    }

    [Test]
    public void Settings_WithoutAnyKeyEncryptionKey_StartWithoutOne()
    {
        var (settings, errors) = AcsSettings.Load(Configuration([]));

        Assert.That(errors, Is.Empty);
        Assert.That(settings!.KeyEncryption.ToRing().CanSeal, Is.False);
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Acs"] = "Host=127.0.0.1",
            ["Acs:PublicUrls:0"] = "https://{subdomain}.statuspage.io",
            ["Acs:AdminApiKey"] = "0123456789abcdef0123",
        }.Concat(values)).Build();

    private AcsApiFactory Service(string current, params string[] others)
    {
        var settings = new Dictionary<string, string?> { ["Acs:EncryptionKeys:KeyEncryptionKey"] = current };
        for (var i = 0; i < others.Length; i++)
        {
            settings[$"Acs:EncryptionKeys:OtherKeyEncryptionKeys:{i}"] = others[i];
        }

        return new AcsApiFactory(Factory.ConnectionString, settings);
    }

    private async Task<(string Subdomain, Guid KeyId, X509Certificate2 Certificate)> TenantWithKeyAsync()
    {
        var subdomain = await CreateTenantAsync();
        using (var sso = await Admin.PutAsJsonAsync($"/admin/tenants/{subdomain}/sso", new
        {
            ssoTargetUrl = "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/saml2",
            idpEntityId = TestResponseBuilder.IdpEntityId,
            certificate = TestIdpKeys.Default.Certificate.ExportCertificatePem(),
        }))
        {
            Assert.That(sso.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        using var created = await Admin.PostAsync($"/admin/tenants/{subdomain}/sso/encryption-keys", null);
        var key = await ReadJsonAsync(created);
        var certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(key.GetProperty("certificate").GetString()!));
        return (subdomain, key.GetProperty("id").GetGuid(), certificate);
    }

    private static string Encrypted(string subdomain, X509Certificate2 certificate) =>
        Convert.ToBase64String(TestResponseBuilder.ToBytes(EncryptedResponses.Build(AcsTestSite.ResponseFor(subdomain), SignMode.Assertion, certificate)));

    private static async Task AssertSignsInAsync(AcsApiFactory service, string subdomain, X509Certificate2 certificate)
    {
        using var browser = service.CreateTenantClient(subdomain);
        using var response = await AcsTestSite.PostAsync(browser, Encrypted(subdomain, certificate));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), await response.Content.ReadAsStringAsync());
    }

    private async Task WaitForKekAsync(Guid keyId, string kekId)
    {
        await using var connection = await Database.OpenConnectionAsync();
        for (var i = 0; i < 100; i++)
        {
            if (await connection.ExecuteScalarAsync<string>("SELECT kek_id FROM sp_encryption_keys WHERE id = @keyId", new { keyId }) == kekId)
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail("the private key was not re-sealed under the new key-encryption key within 10 s");
    }
}
