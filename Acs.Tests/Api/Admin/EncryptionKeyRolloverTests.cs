using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Xml;
using Acs.Core.Saml.Bindings;
using Acs.Core.Saml.Encryption;
using Acs.Core.Saml.Metadata;
using Acs.Core.Saml.Signatures;
using Acs.Core.Saml.Validation;
using Acs.Core.Saml.Xml;
using Acs.Testing.Certificates;
using Acs.Testing.TestIdp;
using Acs.Tests.Core.Saml.Encryption;
using Acs.Tests.TestInfrastructure;

namespace Acs.Tests.Api.Admin;

/// <summary>
/// Token encryption end to end through the admin API and the ACS: the administrator creates a key, hands its
/// downloaded certificate to the IdP, and encrypted sign-ins work; rollover (add, retire to decrypt-only, remove) is one
/// admin call per step and never interrupts sign-in; <c>required</c> refuses plain assertions.
/// </summary>
[NonParallelizable]
public sealed class EncryptionKeyRolloverTests : AdminApiTests
{
    protected override string Purpose => "adminencroll";

    [Test]
    public async Task SignIn_WithResponseEncryptedByXmlsec1ForTheDownloadedCertificate_SignsIn()
    {
        Xmlsec1Encryptor.Require();
        var subdomain = await CreateSsoTenantAsync();
        var key = await CreateKeyAsync(subdomain);
        var certificate = await DownloadAsync(subdomain, key);
        var builder = AcsTestSite.ResponseFor(subdomain);
        var encrypted = Xmlsec1Encryptor.EncryptAssertion(EncryptedResponses.BuildSignedAssertion(builder, SignMode.Assertion), certificate);

        using var response = await PostAsync(subdomain, encrypted);

        AcsTestSite.AssertSeeOther(response, "/");
    }

    [Test]
    public async Task Rollover_AddNextRetireOldRemoveOld_SignInWorksAtEveryStep()
    {
        var subdomain = await CreateSsoTenantAsync();
        var old = await CreateKeyAsync(subdomain);
        var oldCertificate = await DownloadAsync(subdomain, old);
        await AssertSignsInAsync(subdomain, oldCertificate, "old key, active");

        // 1. Add the next key: active, so it is published beside the old one.
        var next = await CreateKeyAsync(subdomain);
        var nextCertificate = await DownloadAsync(subdomain, next);
        await AssertSignsInAsync(subdomain, oldCertificate, "old key while the next one is added");
        await AssertSignsInAsync(subdomain, nextCertificate, "next key, active");

        // 2. The IdP switches; retire the old key to decrypt-only: unpublished, responses still in flight decrypt.
        using (var retired = await Admin.PatchAsJsonAsync($"/admin/tenants/{subdomain}/sso/encryption-keys/{old}", new { status = "decrypt-only" }))
        {
            Assert.That(retired.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        await AssertSignsInAsync(subdomain, oldCertificate, "old key, decrypt-only");
        await AssertSignsInAsync(subdomain, nextCertificate, "next key after the old one retired");

        // 3. Remove the old key: what is still encrypted for it no longer decrypts.
        using (var removed = await Admin.DeleteAsync($"/admin/tenants/{subdomain}/sso/encryption-keys/{old}"))
        {
            Assert.That(removed.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        }

        using var refused = await PostAsync(subdomain, EncryptedResponses.Build(AcsTestSite.ResponseFor(subdomain), SignMode.Assertion, oldCertificate), json: true);
        await AssertRefusedAsync(refused, SamlErrorCodes.AssertionDecryptionFailed);
        var loginEvent = await LastFailureAsync(subdomain);
        Assert.That(loginEvent.GetProperty("message").GetString(), Does.Contain("not one of this site's active or decrypt-only keys"));
        Assert.That(loginEvent.GetProperty("received").GetString(), Is.EqualTo(TestCertificates.Sha256(oldCertificate)));
        await AssertSignsInAsync(subdomain, nextCertificate, "next key after the old one was removed");
    }

    [Test]
    public async Task RequiredPolicy_RefusesPlainAssertions_AndAcceptsEncryptedOnes()
    {
        var subdomain = await CreateSsoTenantAsync();
        var key = await CreateKeyAsync(subdomain);
        var certificate = await DownloadAsync(subdomain, key);
        await ConfigureSsoAsync(subdomain, "required");

        using var plain = await AcsTestSite.PostAsync(Factory.CreateTenantClient(subdomain), AcsTestSite.ResponseFor(subdomain).BuildBase64(), json: true);

        await AssertRefusedAsync(plain, SamlErrorCodes.AssertionNotEncrypted);
        await AssertSignsInAsync(subdomain, certificate, "encrypted, required");
    }

    [Test]
    public async Task SignIn_WithTheSameEncryptedResponseTwice_IsRefusedAsReplayed()
    {
        var subdomain = await CreateSsoTenantAsync();
        var certificate = await DownloadAsync(subdomain, await CreateKeyAsync(subdomain));
        var encrypted = EncryptedResponses.Build(AcsTestSite.ResponseFor(subdomain), SignMode.Assertion, certificate);

        using var first = await PostAsync(subdomain, encrypted);
        using var second = await PostAsync(subdomain, encrypted, json: true);

        AcsTestSite.AssertSeeOther(first, "/");
        await AssertRefusedAsync(second, "assertion_replayed");
    }

    [Test]
    public async Task SignIn_WithTamperedCiphertext_ShowsOnlyTheCodeAndLogsTheReason()
    {
        var subdomain = await CreateSsoTenantAsync();
        var certificate = await DownloadAsync(subdomain, await CreateKeyAsync(subdomain));
        var encrypted = EncryptedResponses.Build(AcsTestSite.ResponseFor(subdomain), SignMode.Assertion, certificate);
        var cipherValue = (XmlElement)encrypted.GetElementsByTagName("CipherValue", "http://www.w3.org/2001/04/xmlenc#")[1]!;
        var bytes = Convert.FromBase64String(cipherValue.InnerText);
        bytes[^17] ^= 0x80;
        cipherValue.InnerText = Convert.ToBase64String(bytes);

        using var page = await PostAsync(subdomain, encrypted);

        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        var html = await page.Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain(SamlErrorCodes.AssertionDecryptionFailed));
        var message = (await LastFailureAsync(subdomain)).GetProperty("message").GetString()!;
        Assert.That(message, Does.Contain("the AES-CBC padding is invalid"));
        Assert.That(html, Does.Not.Contain("AES-CBC").And.Not.Contain(message[..40]));
    }

    [Test]
    public async Task SignIn_WithEachTampering_IsRefusedWithA4xxNeverA500()
    {
        var subdomain = await CreateSsoTenantAsync();
        var certificate = await DownloadAsync(subdomain, await CreateKeyAsync(subdomain));
        XmlDocument Genuine(EncryptionOptions? options = null) =>
            EncryptedResponses.Build(AcsTestSite.ResponseFor(subdomain), SignMode.Assertion, certificate, options);
        var cases = new List<(string Name, XmlDocument Document)>
        {
            ("PKCS#1 v1.5", Genuine(new EncryptionOptions { KeyTransport = XmlEncConstants.Rsa15, OaepDigest = null })),
            ("unknown algorithm", Genuine(new EncryptionOptions { ContentAlgorithm = "urn:x" })),
            ("another tenant's key", EncryptedResponses.Build(AcsTestSite.ResponseFor(subdomain), SignMode.Assertion, TestSpKeys.OtherTenant)),
            ("no signature", EncryptedResponses.Build(AcsTestSite.ResponseFor(subdomain), SignMode.None, certificate)),
        };
        var twice = Genuine();
        twice.DocumentElement!.AppendChild(twice.GetElementsByTagName("EncryptedAssertion", SamlConstants.AssertionNamespace)[0]!.CloneNode(deep: true));
        cases.Add(("two encrypted assertions", twice));
        var oversized = Genuine();
        ((XmlElement)oversized.GetElementsByTagName("CipherValue", "http://www.w3.org/2001/04/xmlenc#")[1]!).InnerText =
            Convert.ToBase64String(new byte[150 * 1024]);
        cases.Add(("oversized ciphertext", oversized));

        foreach (var (name, document) in cases)
        {
            using var response = await PostAsync(subdomain, document, json: true);
            Assert.That((int)response.StatusCode, Is.InRange(400, 499), $"{name}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    private async Task<string> CreateSsoTenantAsync()
    {
        var subdomain = await CreateTenantAsync();
        await ConfigureSsoAsync(subdomain, "optional");
        return subdomain;
    }

    private async Task ConfigureSsoAsync(string subdomain, string encryptedAssertions)
    {
        using var response = await Admin.PutAsJsonAsync($"/admin/tenants/{subdomain}/sso", new
        {
            ssoTargetUrl = "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/saml2",
            idpEntityId = TestResponseBuilder.IdpEntityId,
            certificate = TestIdpKeys.Default.Certificate.ExportCertificatePem(),
            encryptedAssertions,
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    private async Task<Guid> CreateKeyAsync(string subdomain)
    {
        using var response = await Admin.PostAsync($"/admin/tenants/{subdomain}/sso/encryption-keys", null);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await ReadJsonAsync(response)).GetProperty("id").GetGuid();
    }

    /// <summary>What the administrator uploads to Entra: the downloaded .cer.</summary>
    private async Task<X509Certificate2> DownloadAsync(string subdomain, Guid key) =>
        X509Certificate2.CreateFromPem(await Admin.GetStringAsync($"/admin/tenants/{subdomain}/sso/encryption-keys/{key}/certificate"));

    private async Task AssertSignsInAsync(string subdomain, X509Certificate2 certificate, string step)
    {
        using var response = await PostAsync(subdomain, EncryptedResponses.Build(AcsTestSite.ResponseFor(subdomain), SignMode.Assertion, certificate));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), $"{step}: {await response.Content.ReadAsStringAsync()}");
    }

    private async Task<HttpResponseMessage> PostAsync(string subdomain, XmlDocument document, bool json = false)
    {
        using var browser = Factory.CreateTenantClient(subdomain);
        return await AcsTestSite.PostAsync(browser, Convert.ToBase64String(TestResponseBuilder.ToBytes(document)), json: json);
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), text);
        Assert.That(JsonDocument.Parse(text).RootElement.GetProperty("errorCode").GetString(), Is.EqualTo(code), text);
    }

    private async Task<JsonElement> LastFailureAsync(string subdomain)
    {
        using var response = await Admin.GetAsync($"/admin/tenants/{subdomain}/login-events?outcome=failure&limit=1");
        return (await ReadJsonAsync(response)).EnumerateArray().Single();
    }
}
