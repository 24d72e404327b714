using System.Net;
using System.Net.Http.Json;
using Acs.Testing.Certificates;

namespace Acs.Tests.Api.Admin;

public sealed class CertificateRolloverTests : AdminApiTests
{
    protected override string Purpose => "adminrollover";

    [Test]
    public async Task AddCertificate_DuringRollover_Is201AndBothAreTrusted()
    {
        var subdomain = await CreateTenantAsync();
        var current = TestCertificates.CreateValid("Current");
        await ConfigureSsoAsync(subdomain, current);
        var next = TestCertificates.CreateValid("Next");

        using var response = await Admin.PostAsJsonAsync($"/admin/tenants/{subdomain}/sso/certificates", new { certificate = next.ExportCertificatePem() });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"/admin/tenants/{subdomain}/sso/certificates/{TestCertificates.Sha256(next)}"));
        var thumbprints = (await ReadJsonAsync(response)).GetProperty("sso").GetProperty("certificates").EnumerateArray()
            .Select(c => c.GetProperty("thumbprintSha256").GetString());
        Assert.That(thumbprints, Is.EquivalentTo(new[] { TestCertificates.Sha256(current), TestCertificates.Sha256(next) }));
    }

    [Test]
    public async Task AddCertificate_AlreadyTrusted_Is409()
    {
        var subdomain = await CreateTenantAsync();
        var current = TestCertificates.CreateValid();
        await ConfigureSsoAsync(subdomain, current);

        using var response = await Admin.PostAsJsonAsync($"/admin/tenants/{subdomain}/sso/certificates", new { certificate = current.ExportCertificatePem() });

        await AssertProblemAsync(response, HttpStatusCode.Conflict, "certificate_already_trusted");
    }

    [Test]
    public async Task AddCertificate_BeforeSsoIsConfigured_Is409()
    {
        var subdomain = await CreateTenantAsync();

        using var response = await Admin.PostAsJsonAsync($"/admin/tenants/{subdomain}/sso/certificates",
            new { certificate = TestCertificates.CreateValid().ExportCertificatePem() });

        await AssertProblemAsync(response, HttpStatusCode.Conflict, "sso_not_configured");
    }

    [Test]
    public async Task AddCertificate_Garbage_Is400OnCertificate()
    {
        var subdomain = await CreateTenantAsync();
        await ConfigureSsoAsync(subdomain, TestCertificates.CreateValid());

        using var response = await Admin.PostAsJsonAsync($"/admin/tenants/{subdomain}/sso/certificates", new { certificate = "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----" });

        await AssertValidationErrorAsync(response, "certificate");
    }

    [Test]
    public async Task AddCertificate_UnknownTenant_Is404()
    {
        using var response = await Admin.PostAsJsonAsync("/admin/tenants/nobody-here/sso/certificates",
            new { certificate = TestCertificates.CreateValid().ExportCertificatePem() });

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "tenant_not_found");
    }

    [Test]
    public async Task DeleteCertificate_AfterRollover_Is204AndOnlyTheNewOneRemains()
    {
        var subdomain = await CreateTenantAsync();
        var old = TestCertificates.CreateValid("Old");
        await ConfigureSsoAsync(subdomain, old);
        var next = TestCertificates.CreateValid("Next");
        using (var added = await Admin.PostAsJsonAsync($"/admin/tenants/{subdomain}/sso/certificates", new { certificate = next.ExportCertificatePem() }))
        {
            Assert.That(added.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        }

        // Upper case works too: thumbprints are compared as hex, whatever the case an operator copied.
        using var response = await Admin.DeleteAsync(new Uri($"/admin/tenants/{subdomain}/sso/certificates/{TestCertificates.Sha256(old).ToUpperInvariant()}", UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        using var get = await Admin.GetAsync(new Uri($"/admin/tenants/{subdomain}", UriKind.Relative));
        var thumbprints = (await ReadJsonAsync(get)).GetProperty("sso").GetProperty("certificates").EnumerateArray()
            .Select(c => c.GetProperty("thumbprintSha256").GetString());
        Assert.That(thumbprints, Is.EqualTo(new[] { TestCertificates.Sha256(next) }));
    }

    [Test]
    public async Task DeleteCertificate_TheLastOne_Is409AndItStays()
    {
        var subdomain = await CreateTenantAsync();
        var only = TestCertificates.CreateValid();
        await ConfigureSsoAsync(subdomain, only);

        using var response = await Admin.DeleteAsync(new Uri($"/admin/tenants/{subdomain}/sso/certificates/{TestCertificates.Sha256(only)}", UriKind.Relative));

        await AssertProblemAsync(response, HttpStatusCode.Conflict, "last_certificate");
        using var get = await Admin.GetAsync(new Uri($"/admin/tenants/{subdomain}", UriKind.Relative));
        Assert.That((await ReadJsonAsync(get)).GetProperty("sso").GetProperty("certificates").GetArrayLength(), Is.EqualTo(1));
    }

    [Test]
    public async Task DeleteCertificate_BothAtTheSameInstant_LeavesOneTrusted()
    {
        var subdomain = await CreateTenantAsync();
        var first = TestCertificates.CreateValid("First");
        var second = TestCertificates.CreateValid("Second");
        await ConfigureSsoAsync(subdomain, first);
        using (var added = await Admin.PostAsJsonAsync($"/admin/tenants/{subdomain}/sso/certificates", new { certificate = second.ExportCertificatePem() }))
        {
            Assert.That(added.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        }

        var responses = await Task.WhenAll(new[] { first, second }.Select(c =>
            Admin.DeleteAsync(new Uri($"/admin/tenants/{subdomain}/sso/certificates/{TestCertificates.Sha256(c)}", UriKind.Relative))));

        Assert.That(responses.Select(r => r.StatusCode), Is.EquivalentTo(new[] { HttpStatusCode.NoContent, HttpStatusCode.Conflict }));
        using var get = await Admin.GetAsync(new Uri($"/admin/tenants/{subdomain}", UriKind.Relative));
        Assert.That((await ReadJsonAsync(get)).GetProperty("sso").GetProperty("certificates").GetArrayLength(), Is.EqualTo(1));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Test]
    public async Task DeleteCertificate_UnknownThumbprint_Is404()
    {
        var subdomain = await CreateTenantAsync();
        await ConfigureSsoAsync(subdomain, TestCertificates.CreateValid());

        using var response = await Admin.DeleteAsync(new Uri($"/admin/tenants/{subdomain}/sso/certificates/{new string('a', 64)}", UriKind.Relative));

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "certificate_not_found");
    }

    [Test]
    public async Task DeleteCertificate_UnknownTenant_Is404()
    {
        using var response = await Admin.DeleteAsync(new Uri($"/admin/tenants/nobody-here/sso/certificates/{new string('a', 64)}", UriKind.Relative));

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "tenant_not_found");
    }
}
