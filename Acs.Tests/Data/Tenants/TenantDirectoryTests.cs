using Acs.Core.Members;
using Acs.Data.Tenants;
using Acs.Testing.Tenants;
using Acs.Tests.TestInfrastructure;
using Dapper;
using Npgsql;

namespace Acs.Tests.Data.Tenants;

public sealed class TenantDirectoryTests
{
    private NpgsqlDataSource _dataSource = null!;

    [OneTimeSetUp]
    public async Task CreateDatabase() =>
        _dataSource = NpgsqlDataSource.Create(await PostgresServer.CreateDatabaseAsync("tenantdir"));

    [OneTimeTearDown]
    public async Task DropDataSource() => await _dataSource.DisposeAsync();

    [Test]
    public async Task FindBySubdomain_WithIdpAndTwoCertificates_ReadsEverything()
    {
        var id = await TenantSeeder.InsertAsync(_dataSource, new SeedTenant("acme")
        {
            DisplayName = "Acme Inc.",
            JitEnabled = false,
            DefaultRole = MemberRoles.ClientAdministrator,
            AllowedEmailDomains = ["contoso.com"],
            ClockSkewSeconds = 60,
            AllowSha1 = true,
            RoleMappingsJson = """{"Admins":"client_administrator"}""",
            IdpEntityId = "https://sts.windows.net/t/",
            SsoTargetUrl = "https://login.microsoftonline.com/t/saml2",
        });
        await using (var connection = await _dataSource.OpenConnectionAsync())
        {
            // Certificate rows written a second apart, so their order is known.
            await connection.ExecuteAsync("""
                INSERT INTO idp_certificates (tenant_id, thumbprint_sha256, thumbprint_sha1, der, subject, not_before, not_after, created_at)
                VALUES (@id, 'aa', 'AA', '\x0102', 'CN=one', now(), now() + interval '1 year', now()),
                       (@id, 'bb', 'BB', '\x0304', 'CN=two', now(), now() + interval '1 year', now() + interval '1 second');
                """, new { id });
        }

        var tenant = await new TenantDirectory(_dataSource).FindBySubdomainAsync("acme", CancellationToken.None);

        Assert.That(tenant, Is.Not.Null);
        Assert.That(tenant!.Id, Is.EqualTo(id));
        Assert.That(tenant.DisplayName, Is.EqualTo("Acme Inc."));
        Assert.That(tenant.Policy.JitEnabled, Is.False);
        Assert.That(tenant.Policy.DefaultRole, Is.EqualTo(MemberRoles.ClientAdministrator));
        Assert.That(tenant.Policy.AllowedEmailDomains, Is.EqualTo(new[] { "contoso.com" }));
        Assert.That(tenant.Policy.ClockSkewSeconds, Is.EqualTo(60));
        Assert.That(tenant.Policy.RoleMappings["Admins"], Is.EqualTo(MemberRoles.ClientAdministrator));
        Assert.That(tenant.Idp!.IdpEntityId, Is.EqualTo("https://sts.windows.net/t/"));
        Assert.That(tenant.Idp.Certificates.Select(c => c.Subject), Is.EqualTo(new[] { "CN=one", "CN=two" }));
        Assert.That(tenant.Idp.Certificates[1].Der, Is.EqualTo(new byte[] { 3, 4 }));
    }

    [Test]
    public async Task FindBySubdomain_WithoutIdp_HasNoIdp()
    {
        await TenantSeeder.InsertAsync(_dataSource, new SeedTenant("globex") { DisplayName = "Globex" });

        var tenant = await new TenantDirectory(_dataSource).FindBySubdomainAsync("globex", CancellationToken.None);

        Assert.That(tenant!.Idp, Is.Null);
        Assert.That(tenant.Policy.JitEnabled, Is.True);
    }

    [Test]
    public async Task FindBySubdomain_Unknown_IsNull()
    {
        var tenant = await new TenantDirectory(_dataSource).FindBySubdomainAsync("nobody", CancellationToken.None);

        Assert.That(tenant, Is.Null);
    }
}
