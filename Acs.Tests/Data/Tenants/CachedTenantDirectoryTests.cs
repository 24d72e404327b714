using Acs.Data.Tenants;
using Acs.Testing.Tenants;
using Acs.Tests.TestInfrastructure;
using Dapper;
using Npgsql;

namespace Acs.Tests.Data.Tenants;

/// <summary>The cache must never serve a configuration older than the database's, whoever changed it and however:
/// two directories stand for two replicas, and changes are made with plain SQL, as any writer might. Here the change
/// feed is not running and no staleness is allowed, so the config_version check alone is under test; the
/// notifications and the staleness bound are in <see cref="TenantChangeNotificationTests"/>.</summary>
public sealed class CachedTenantDirectoryTests
{
    private NpgsqlDataSource _dataSource = null!;

    [OneTimeSetUp]
    public async Task CreateDatabase() =>
        _dataSource = NpgsqlDataSource.Create(await PostgresServer.CreateDatabaseAsync("tenantcache"));

    [OneTimeTearDown]
    public async Task DropDataSource() => await _dataSource.DisposeAsync();

    private CachedTenantDirectory Replica() =>
        new(_dataSource, new TenantChangeFeed(_dataSource, TimeProvider.System), TimeProvider.System) { StaleAfter = TimeSpan.Zero };

    private async Task<Guid> CreateTenantAsync(string subdomain)
    {
        var id = await TenantSeeder.InsertAsync(_dataSource, new SeedTenant(subdomain)
        {
            DisplayName = "Cached",
            IdpEntityId = "https://sts.windows.net/one/",
            SsoTargetUrl = "https://login.microsoftonline.com/one/saml2",
        });
        await ExecuteAsync("""
            INSERT INTO idp_certificates (tenant_id, thumbprint_sha256, thumbprint_sha1, der, subject, not_before, not_after, created_at)
            VALUES (@id, 'aa', 'AA', '\x0102', 'CN=one', now(), now() + interval '1 year', now());
            """, new { id, subdomain });
        return id;
    }

    private async Task ExecuteAsync(string sql, object parameters)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(sql, parameters);
    }

    [Test]
    public async Task Unchanged_ServesTheSameInstance()
    {
        await CreateTenantAsync("same");
        var directory = Replica();

        var first = await directory.FindBySubdomainAsync("same", CancellationToken.None);
        var second = await directory.FindBySubdomainAsync("same", CancellationToken.None);

        Assert.That(second, Is.SameAs(first));
    }

    [Test]
    public async Task TenantSettingChanged_NextReadOnEveryReplicaSeesIt()
    {
        var id = await CreateTenantAsync("policy");
        var replicaA = Replica();
        var replicaB = Replica();
        Assert.That((await replicaA.FindBySubdomainAsync("policy", CancellationToken.None))!.Policy.JitEnabled, Is.True);
        Assert.That((await replicaB.FindBySubdomainAsync("policy", CancellationToken.None))!.Policy.JitEnabled, Is.True);

        await ExecuteAsync("UPDATE tenants SET jit_enabled = false WHERE id = @id", new { id });

        Assert.That((await replicaA.FindBySubdomainAsync("policy", CancellationToken.None))!.Policy.JitEnabled, Is.False);
        Assert.That((await replicaB.FindBySubdomainAsync("policy", CancellationToken.None))!.Policy.JitEnabled, Is.False);
    }

    [Test]
    public async Task CertificateAddedUpdatedRemoved_NextReadSeesIt()
    {
        var id = await CreateTenantAsync("certs");
        var directory = Replica();
        await directory.FindBySubdomainAsync("certs", CancellationToken.None);

        await ExecuteAsync("""
            INSERT INTO idp_certificates (tenant_id, thumbprint_sha256, thumbprint_sha1, der, subject, not_before, not_after, created_at)
            VALUES (@id, 'bb', 'BB', '\x0304', 'CN=two', now(), now() + interval '1 year', now() + interval '1 second')
            """, new { id });
        var added = await directory.FindBySubdomainAsync("certs", CancellationToken.None);
        Assert.That(added!.Idp!.Certificates.Select(c => c.Subject), Is.EqualTo(new[] { "CN=one", "CN=two" }));

        await ExecuteAsync("UPDATE idp_certificates SET subject = 'CN=renamed' WHERE tenant_id = @id AND thumbprint_sha256 = 'bb'", new { id });
        var updated = await directory.FindBySubdomainAsync("certs", CancellationToken.None);
        Assert.That(updated!.Idp!.Certificates.Select(c => c.Subject), Is.EqualTo(new[] { "CN=one", "CN=renamed" }));

        await ExecuteAsync("DELETE FROM idp_certificates WHERE tenant_id = @id AND thumbprint_sha256 = 'aa'", new { id });
        var removed = await directory.FindBySubdomainAsync("certs", CancellationToken.None);
        Assert.That(removed!.Idp!.Certificates.Select(c => c.Subject), Is.EqualTo(new[] { "CN=renamed" }));
    }

    [Test]
    public async Task IdpConfigurationChangedOrRemoved_NextReadSeesIt()
    {
        var id = await CreateTenantAsync("idp");
        var directory = Replica();
        await directory.FindBySubdomainAsync("idp", CancellationToken.None);

        await ExecuteAsync("UPDATE idp_configs SET idp_entity_id = 'https://sts.windows.net/two/' WHERE tenant_id = @id", new { id });
        Assert.That((await directory.FindBySubdomainAsync("idp", CancellationToken.None))!.Idp!.IdpEntityId, Is.EqualTo("https://sts.windows.net/two/"));

        await ExecuteAsync("DELETE FROM idp_configs WHERE tenant_id = @id", new { id });
        Assert.That((await directory.FindBySubdomainAsync("idp", CancellationToken.None))!.Idp, Is.Null);
    }

    [Test]
    public async Task TenantDeletedOrRenamed_IsNoLongerServed()
    {
        var id = await CreateTenantAsync("gone");
        var directory = Replica();
        await directory.FindBySubdomainAsync("gone", CancellationToken.None);

        await ExecuteAsync("UPDATE tenants SET subdomain = 'moved' WHERE id = @id", new { id });
        Assert.That(await directory.FindBySubdomainAsync("gone", CancellationToken.None), Is.Null);
        Assert.That((await directory.FindBySubdomainAsync("moved", CancellationToken.None))!.Id, Is.EqualTo(id));

        await ExecuteAsync("DELETE FROM tenants WHERE id = @id", new { id });
        Assert.That(await directory.FindBySubdomainAsync("moved", CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task DeletedAndRecreatedUnderTheSameSubdomain_ServesTheNewTenant()
    {
        var oldId = await CreateTenantAsync("reborn");
        var directory = Replica();
        await directory.FindBySubdomainAsync("reborn", CancellationToken.None);

        await ExecuteAsync("DELETE FROM tenants WHERE id = @oldId", new { oldId });
        var newId = await CreateTenantAsync("reborn");

        Assert.That((await directory.FindBySubdomainAsync("reborn", CancellationToken.None))!.Id, Is.EqualTo(newId));
    }
}
