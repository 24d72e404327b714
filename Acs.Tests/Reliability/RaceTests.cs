using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Acs.Core.Login;
using Acs.Testing.Certificates;
using Acs.Tests.TestInfrastructure;

namespace Acs.Tests.Reliability;

/// <summary>The database constraints and the one-transaction login hold under bursts of concurrent requests.</summary>
[Category("Slow")]
[NonParallelizable]
public sealed class RaceTests
{
    private AcsTestSite _site = null!;

    [OneTimeSetUp]
    public async Task Start() => _site = await AcsTestSite.StartAsync("races");

    [OneTimeTearDown]
    public async Task Stop() => await _site.DisposeAsync();

    /// <summary>The answers that were not what the test expects, grouped, for the failure message.</summary>
    private static string Describe(IEnumerable<(HttpResponseMessage Response, string Body)> unexpected) =>
        string.Join("; ", unexpected.GroupBy(p => $"{(int)p.Response.StatusCode} {p.Body}").Select(g => $"{g.Count()} x {g.Key}"));

    private static string NewSubdomain() => "t" + Guid.NewGuid().ToString("N")[..12];

    [Test]
    public async Task HundredParallelPostsOfOneResponse_OneSignsInAndNinetyNineAreReplays()
    {
        var subdomain = NewSubdomain();
        var tenant = await _site.CreateTenantAsync(subdomain);
        var posted = AcsTestSite.ResponseFor(subdomain).BuildBase64();

        var responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => AcsTestSite.PostAsync(_site.Browser(subdomain), posted, json: true)));
        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync()));

        var replayed = $"\"errorCode\":\"{LoginErrorCodes.AssertionReplayed}\"";
        var others = Describe(responses.Zip(bodies).Where(p => p.First.StatusCode != HttpStatusCode.SeeOther && !p.Second.Contains(replayed, StringComparison.Ordinal)));
        Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.SeeOther), Is.EqualTo(1), others);
        Assert.That(bodies.Count(b => b.Contains(replayed, StringComparison.Ordinal)), Is.EqualTo(99), others);
        Assert.That(await _site.CountAsync("SELECT count(*) FROM sessions WHERE tenant_id = @tenant", new { tenant }), Is.EqualTo(1));
        Assert.That(await _site.CountAsync("SELECT count(*) FROM consumed_assertions WHERE tenant_id = @tenant", new { tenant }), Is.EqualTo(1));
        Assert.That(await _site.CountAsync("SELECT count(*) FROM members WHERE tenant_id = @tenant", new { tenant }), Is.EqualTo(1));
    }

    [Test]
    public async Task HundredParallelFirstLoginsOfOnePerson_CreateOneMember()
    {
        var subdomain = NewSubdomain();
        var tenant = await _site.CreateTenantAsync(subdomain);
        var posts = Enumerable.Range(0, 100).Select(_ => AcsTestSite.ResponseFor(subdomain).BuildBase64()).ToList();

        var responses = await Task.WhenAll(posts.Select(p => AcsTestSite.PostAsync(_site.Browser(subdomain), p, json: true)));
        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync()));

        Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.SeeOther), Is.EqualTo(100),
            Describe(responses.Zip(bodies).Where(p => p.First.StatusCode != HttpStatusCode.SeeOther)));
        Assert.That(await _site.CountAsync("SELECT count(*) FROM members WHERE tenant_id = @tenant", new { tenant }), Is.EqualTo(1));
        Assert.That(await _site.CountAsync("SELECT count(*) FROM sessions WHERE tenant_id = @tenant", new { tenant }), Is.EqualTo(100));
    }

    [Test]
    public async Task ParallelCertificateAdds_NoneIsLost()
    {
        using var admin = _site.Factory.CreateAdminClient();
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain);
        var certificates = Enumerable.Range(0, 12).Select(i => TestCertificates.CreateValid($"Rollover {i}")).ToList();

        var responses = await Task.WhenAll(certificates.Select(c => admin.PostAsJsonAsync($"/admin/tenants/{subdomain}/sso/certificates",
            new { certificate = c.ExportCertificatePem() })));

        Assert.That(responses.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.Created));
        var tenant = await admin.GetFromJsonAsync<JsonElement>($"/admin/tenants/{subdomain}");
        var trusted = tenant.GetProperty("sso").GetProperty("certificates").EnumerateArray()
            .Select(c => c.GetProperty("thumbprintSha256").GetString()).ToHashSet();
        Assert.That(trusted, Is.SupersetOf(certificates.Select(TestCertificates.Sha256)));
    }

    [Test]
    public async Task ParallelSsoReplacements_LeaveOneWholeConfiguration()
    {
        using var admin = _site.Factory.CreateAdminClient();
        var subdomain = NewSubdomain();
        await _site.CreateTenantAsync(subdomain, withSso: false);
        var candidates = Enumerable.Range(0, 10).Select(i => (Index: i, Certificate: TestCertificates.CreateValid($"Config {i}"))).ToList();

        var responses = await Task.WhenAll(candidates.Select(c => admin.PutAsJsonAsync($"/admin/tenants/{subdomain}/sso", new
        {
            ssoTargetUrl = $"https://login.microsoftonline.com/tenant-{c.Index}/saml2",
            idpEntityId = $"https://sts.windows.net/tenant-{c.Index}/",
            certificate = c.Certificate.ExportCertificatePem(),
        })));

        Assert.That(responses.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.OK));
        var sso = (await admin.GetFromJsonAsync<JsonElement>($"/admin/tenants/{subdomain}")).GetProperty("sso");
        var winner = int.Parse(sso.GetProperty("idpEntityId").GetString()!.Split("tenant-")[1].TrimEnd('/'), System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(sso.GetProperty("ssoTargetUrl").GetString(), Is.EqualTo($"https://login.microsoftonline.com/tenant-{winner}/saml2"));
        Assert.That(sso.GetProperty("certificates").EnumerateArray().Select(c => c.GetProperty("thumbprintSha256").GetString()),
            Is.EqualTo(new[] { TestCertificates.Sha256(candidates[winner].Certificate) }), "the trusted set belongs to the same configuration");
    }
}
