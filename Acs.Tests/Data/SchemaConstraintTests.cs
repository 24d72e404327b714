using Acs.Testing.Tenants;
using Acs.Tests.TestInfrastructure;
using Dapper;
using Npgsql;

namespace Acs.Tests.Data;

/// <summary>The constraints that keep data right under concurrency refuse duplicates at the database itself.</summary>
public sealed class SchemaConstraintTests
{
    private NpgsqlDataSource _dataSource = null!;

    [OneTimeSetUp]
    public async Task CreateDatabase() =>
        _dataSource = NpgsqlDataSource.Create(await PostgresServer.CreateDatabaseAsync("constraints"));

    [OneTimeTearDown]
    public async Task DropDataSource() => await _dataSource.DisposeAsync();

    [Test]
    public async Task Tenants_WithDuplicateSubdomain_AreRefused()
    {
        var subdomain = NewSubdomain();
        await InsertTenant(subdomain);

        var ex = Assert.ThrowsAsync<PostgresException>(() => InsertTenant(subdomain));

        Assert.That(ex!.SqlState, Is.EqualTo(PostgresErrorCodes.UniqueViolation));
        Assert.That(ex.ConstraintName, Is.EqualTo("tenants_subdomain_key"));
    }

    [Test]
    public async Task Members_WithSameEmailInAnotherCase_AreRefused()
    {
        var tenant = await InsertTenant(NewSubdomain());
        await InsertMember(tenant, "Britta.Simon@contoso.com", subject: null);

        var ex = Assert.ThrowsAsync<PostgresException>(() => InsertMember(tenant, "britta.simon@CONTOSO.com", subject: null));

        Assert.That(ex!.ConstraintName, Is.EqualTo("members_tenant_email_key"));
    }

    [Test]
    public async Task Members_WithSameEmailInAnotherTenant_AreAllowed()
    {
        var acme = await InsertTenant(NewSubdomain());
        var globex = await InsertTenant(NewSubdomain());
        await InsertMember(acme, "britta@contoso.com", subject: "subject-1");

        Assert.DoesNotThrowAsync(() => InsertMember(globex, "britta@contoso.com", subject: "subject-1"));
    }

    [Test]
    public async Task Members_WithDuplicateIdpSubject_AreRefused()
    {
        var tenant = await InsertTenant(NewSubdomain());
        await InsertMember(tenant, "a@contoso.com", subject: "0f9b7c1e-oid");

        var ex = Assert.ThrowsAsync<PostgresException>(() => InsertMember(tenant, "b@contoso.com", subject: "0f9b7c1e-oid"));

        Assert.That(ex!.ConstraintName, Is.EqualTo("members_tenant_idp_subject_key"));
    }

    [Test]
    public async Task ConsumedAssertions_WithDuplicateId_AreRefused()
    {
        var tenant = await InsertTenant(NewSubdomain());
        const string sql = """
            INSERT INTO consumed_assertions (tenant_id, assertion_id, consumed_at, expires_at)
            VALUES (@tenant, '_a1', now(), now() + interval '1 hour')
            """;
        await using var connection = await _dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(sql, new { tenant });

        var ex = Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(sql, new { tenant }));

        Assert.That(ex!.SqlState, Is.EqualTo(PostgresErrorCodes.UniqueViolation));
    }

    [Test]
    public async Task DeletingTenant_RemovesItsRows()
    {
        var tenant = await InsertTenant(NewSubdomain());
        var other = await InsertTenant(NewSubdomain());
        await InsertSignInRows(tenant);
        await InsertSignInRows(other);
        await using var connection = await _dataSource.OpenConnectionAsync();

        await connection.ExecuteAsync("DELETE FROM tenants WHERE id = @tenant", new { tenant });

        Assert.That(await CountSignInRows(tenant), Is.EqualTo(new[] { 0L, 0L, 0L, 0L }), "members, sessions, consumed assertions, login events");
        Assert.That(await CountSignInRows(other), Is.EqualTo(new[] { 1L, 1L, 1L, 1L }), "another tenant's rows stay");
    }

    [Test]
    public async Task SignInRows_OfAnUnknownMember_AreRefused()
    {
        var tenant = await InsertTenant(NewSubdomain());
        await using var connection = await _dataSource.OpenConnectionAsync();

        var ex = Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("""
            INSERT INTO sessions (token_hash, tenant_id, member_id, created_at, expires_at)
            VALUES (@hash, @tenant, @member, now(), now() + interval '1 hour')
            """, new { hash = Guid.NewGuid().ToByteArray(), tenant, member = Guid.NewGuid() }));

        Assert.That(ex!.SqlState, Is.EqualTo(PostgresErrorCodes.ForeignKeyViolation), "a session still names a real member");
    }

    [Test]
    public async Task TruncatingTenants_RemovesEverySignInRow()
    {
        // A database of its own: TRUNCATE empties every tenant of the database.
        await using var dataSource = NpgsqlDataSource.Create(await PostgresServer.CreateDatabaseAsync("truncate"));
        var tenant = await TenantSeeder.InsertAsync(dataSource, new SeedTenant(NewSubdomain()));
        await InsertSignInRows(tenant, dataSource);
        await using var connection = await dataSource.OpenConnectionAsync();

        await connection.ExecuteAsync("TRUNCATE tenants CASCADE");

        Assert.That(await CountSignInRows(tenant, dataSource), Is.EqualTo(new[] { 0L, 0L, 0L, 0L }));
    }

    [TestCase("audience_near_miss", "elsewhere", "Set Identifier.")]
    [TestCase("audience_near_miss", "idp", null)]
    [TestCase(null, "idp", "Set Identifier.")]
    public async Task LoginEvents_WithIncompleteOrUnknownDiagnosis_AreRefused(string? cause, string? fix, string? advice)
    {
        var tenant = await InsertTenant(NewSubdomain());
        await using var connection = await _dataSource.OpenConnectionAsync();

        var ex = Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("""
            INSERT INTO login_events (id, tenant_id, occurred_at, outcome, diagnosis_cause, diagnosis_fix, diagnosis_advice)
            VALUES (@id, @tenant, now(), 'failure', @cause, @fix, @advice)
            """, new { id = Guid.NewGuid(), tenant, cause, fix, advice }));

        Assert.That(ex!.ConstraintName, Is.EqualTo("login_events_diagnosis_check"));
    }

    private static string NewSubdomain() => "t" + Guid.NewGuid().ToString("N")[..10];

    // One member with a session, one consumed assertion and one login event: the rows a sign-in writes.
    private async Task InsertSignInRows(Guid tenant, NpgsqlDataSource? dataSource = null)
    {
        await using var connection = await (dataSource ?? _dataSource).OpenConnectionAsync();
        await connection.ExecuteAsync("""
            INSERT INTO members (id, tenant_id, email, role, created_via, idp_subject, created_at, updated_at)
            VALUES (@member, @tenant, 'c@contoso.com', 'team_member', 'jit', 's', now(), now());
            INSERT INTO sessions (token_hash, tenant_id, member_id, created_at, expires_at)
            VALUES (@hash, @tenant, @member, now(), now() + interval '1 hour');
            INSERT INTO consumed_assertions (tenant_id, assertion_id, consumed_at, expires_at)
            VALUES (@tenant, '_a1', now(), now() + interval '1 hour');
            INSERT INTO login_events (id, tenant_id, occurred_at, outcome, member_id)
            VALUES (@event, @tenant, now(), 'success', @member);
            """, new { tenant, member = Guid.NewGuid(), hash = Guid.NewGuid().ToByteArray(), @event = Guid.NewGuid() });
    }

    private async Task<long[]> CountSignInRows(Guid tenant, NpgsqlDataSource? dataSource = null)
    {
        await using var connection = await (dataSource ?? _dataSource).OpenConnectionAsync();
        var counts = await connection.QuerySingleAsync<(long, long, long, long)>("""
            SELECT (SELECT count(*) FROM members WHERE tenant_id = @tenant),
                   (SELECT count(*) FROM sessions WHERE tenant_id = @tenant),
                   (SELECT count(*) FROM consumed_assertions WHERE tenant_id = @tenant),
                   (SELECT count(*) FROM login_events WHERE tenant_id = @tenant)
            """, new { tenant });
        return [counts.Item1, counts.Item2, counts.Item3, counts.Item4];
    }

    private Task<Guid> InsertTenant(string subdomain) => TenantSeeder.InsertAsync(_dataSource, new SeedTenant(subdomain));

    private async Task InsertMember(Guid tenant, string email, string? subject)
    {
        const string sql = """
            INSERT INTO members (id, tenant_id, email, role, created_via, idp_subject, created_at, updated_at)
            VALUES (@id, @tenant, @email, 'team_member', 'admin', @subject, now(), now())
            """;
        await using var connection = await _dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(sql, new { id = Guid.NewGuid(), tenant, email, subject });
    }
}
