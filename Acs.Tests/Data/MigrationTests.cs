using Acs.Data.Migrations;
using Acs.Tests.TestInfrastructure;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Acs.Tests.Data;

public sealed class MigrationTests
{
    [Test]
    public async Task Migrate_OnEmptyDatabase_CreatesEveryTable()
    {
        var connectionString = await PostgresServer.CreateEmptyDatabaseAsync("migrate");
        await using var dataSource = NpgsqlDataSource.Create(connectionString);

        var outcome = await new DatabaseMigrator(dataSource, NullLogger<DatabaseMigrator>.Instance).MigrateAsync();

        Assert.That(outcome.Succeeded, Is.True, outcome.Error);
        Assert.That(outcome.AppliedScripts, Is.EquivalentTo(DatabaseMigrator.ScriptNames));
        await using var connection = await dataSource.OpenConnectionAsync();
        var tables = await connection.QueryAsync<string>(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
        Assert.That(tables, Is.SupersetOf(new[]
        {
            "tenants", "idp_configs", "idp_certificates", "members", "consumed_assertions", "sessions", "login_events",
        }));
    }

    [Test]
    public async Task Migrate_RunTwice_AppliesNothingTheSecondTime()
    {
        var connectionString = await PostgresServer.CreateEmptyDatabaseAsync("idempotent");
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var migrator = new DatabaseMigrator(dataSource, NullLogger<DatabaseMigrator>.Instance);

        var first = await migrator.MigrateAsync();
        var second = await migrator.MigrateAsync();

        Assert.That(first.Succeeded && second.Succeeded, Is.True, second.Error);
        Assert.That(first.AppliedScripts, Is.Not.Empty);
        Assert.That(second.AppliedScripts, Is.Empty);
    }

    [Test]
    public async Task Migrate_ConcurrentlyFromTwoReplicas_AppliesEachScriptOnce()
    {
        var connectionString = await PostgresServer.CreateEmptyDatabaseAsync("concurrent");
        await using var dataSource = NpgsqlDataSource.Create(connectionString);

        var outcomes = await Task.WhenAll(
            new DatabaseMigrator(dataSource, NullLogger<DatabaseMigrator>.Instance).MigrateAsync(),
            new DatabaseMigrator(dataSource, NullLogger<DatabaseMigrator>.Instance).MigrateAsync());

        Assert.That(outcomes.All(o => o.Succeeded), Is.True, string.Join("; ", outcomes.Select(o => o.Error)));
        Assert.That(outcomes.Sum(o => o.AppliedScripts.Count), Is.EqualTo(DatabaseMigrator.ScriptNames.Count));
    }

    [Test]
    public async Task Migrate_WhenDatabaseUnreachable_FailsWithReason()
    {
        await using var dataSource = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Username=x;Database=x;Timeout=2");

        var outcome = await new DatabaseMigrator(dataSource, NullLogger<DatabaseMigrator>.Instance).MigrateAsync();

        Assert.That(outcome.Succeeded, Is.False);
        Assert.That(outcome.Error, Does.StartWith("database unreachable"));
    }

    [Test]
    public async Task Migrate_AgainstServerThatRequiresAPassword_ConnectsWithTheConfiguredPassword()
    {
        var connectionString = await PostgresServer.CreateEmptyDatabaseAsync("password");
        await AssertServerRequiresPasswordAsync(connectionString);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);

        var outcome = await new DatabaseMigrator(dataSource, NullLogger<DatabaseMigrator>.Instance).MigrateAsync();

        Assert.That(outcome.Succeeded, Is.True, outcome.Error);
        Assert.That(outcome.AppliedScripts, Has.Count.EqualTo(DatabaseMigrator.ScriptNames.Count));
    }

    [Test]
    public async Task Migrate_WithWrongPassword_FailsAsCredentialsRefusedNamingTheSetting()
    {
        var connectionString = new NpgsqlConnectionStringBuilder(await PostgresServer.CreateEmptyDatabaseAsync("wrongpw")) { Password = "not-the-password" };
        await using var dataSource = NpgsqlDataSource.Create(connectionString.ConnectionString);

        var outcome = await new DatabaseMigrator(dataSource, NullLogger<DatabaseMigrator>.Instance).MigrateAsync();

        Assert.That(outcome.Succeeded, Is.False);
        Assert.That(outcome.Failure!.Kind, Is.EqualTo(MigrationFailureKind.CredentialsRefused));
        Assert.That(outcome.Error, Does.Contain("ConnectionStrings__Acs").And.Contain("28P01"));
    }

    /// <summary>Every test database must ask for a password, as production does, or password bugs go unseen.</summary>
    internal static async Task AssertServerRequiresPasswordAsync(string connectionString)
    {
        var withoutPassword = new NpgsqlConnectionStringBuilder(connectionString) { Password = null, Pooling = false };
        await using var connection = new NpgsqlConnection(withoutPassword.ConnectionString);
        var refused = false;
        try
        {
            await connection.OpenAsync();
        }
        catch (NpgsqlException)
        {
            refused = true;
        }

        Assert.That(refused, Is.True, "the test PostgreSQL accepted a connection without a password");
    }
}
