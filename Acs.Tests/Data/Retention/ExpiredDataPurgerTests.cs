using Acs.Data.Retention;
using Acs.Testing.Tenants;
using Acs.Tests.TestInfrastructure;
using Dapper;
using Npgsql;

namespace Acs.Tests.Data.Retention;

public sealed class ExpiredDataPurgerTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task Purge_RemovesExpiredRowsAndOldEvents_AndKeepsTheRest()
    {
        await using var dataSource = NpgsqlDataSource.Create(await PostgresServer.CreateDatabaseAsync("purge"));
        var tenant = await TenantSeeder.InsertAsync(dataSource, new SeedTenant("purge"));
        var member = Guid.NewGuid();
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("""
                INSERT INTO members (id, tenant_id, email, role, created_via, created_at, updated_at)
                VALUES (@member, @tenant, 'a@b.example', 'team_member', 'jit', @now, @now);
                INSERT INTO consumed_assertions (tenant_id, assertion_id, consumed_at, expires_at)
                VALUES (@tenant, '_expired', @now, @past), (@tenant, '_live', @now, @future);
                INSERT INTO sessions (token_hash, tenant_id, member_id, created_at, expires_at)
                VALUES ('\x01', @tenant, @member, @now, @past), ('\x02', @tenant, @member, @now, @future);
                INSERT INTO authn_requests (tenant_id, request_id, return_to, created_at, expires_at)
                VALUES (@tenant, '_old', '/', @now, @past), (@tenant, '_open', '/', @now, @future);
                INSERT INTO login_events (id, tenant_id, occurred_at, outcome) VALUES
                    (gen_random_uuid(), @tenant, @now - interval '91 days', 'failure'),
                    (gen_random_uuid(), @tenant, @now - interval '89 days', 'failure');
                """, new { tenant, member, now = Now, past = Now.AddSeconds(-1), future = Now.AddMinutes(5) });
        }

        var removed = await new ExpiredDataPurger(dataSource).PurgeAsync(Now, Now.AddDays(-90), CancellationToken.None);

        Assert.That(removed, Is.EqualTo(4));
        await using var check = await dataSource.OpenConnectionAsync();
        Assert.That(await check.QueryAsync<string>("SELECT assertion_id FROM consumed_assertions"), Is.EqualTo(new[] { "_live" }));
        Assert.That(await check.ExecuteScalarAsync<long>("SELECT count(*) FROM sessions"), Is.EqualTo(1));
        Assert.That(await check.QueryAsync<string>("SELECT request_id FROM authn_requests"), Is.EqualTo(new[] { "_open" }));
        Assert.That(await check.ExecuteScalarAsync<long>("SELECT count(*) FROM login_events"), Is.EqualTo(1));
    }
}
