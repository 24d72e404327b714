using Acs.Data.Migrations;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Testcontainers.PostgreSql;

namespace Acs.Tests.TestInfrastructure;

/// <summary>
/// The one PostgreSQL server of a test run, started on first use: <c>ACS_TEST_DATABASE</c>, else Testcontainers when a
/// Docker engine answers, else a throwaway cluster from the machine's binaries. Tests get their own databases, cloned
/// from a migrated template, so fixtures stay isolated and can run in parallel.
/// </summary>
public static class PostgresServer
{
    private const string TemplateDatabase = "acs_test_template";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _serverConnectionString;
    private static IAsyncDisposable? _owned;
    private static string? _failure;

    public static PostgresServerChoice? Choice { get; private set; }

    /// <summary>Creates an empty, fully migrated database and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string purpose)
    {
        var server = await EnsureStartedAsync();
        var name = $"acs_{Sanitize(purpose)}_{Guid.NewGuid():N}"[..40];
        await Gate.WaitAsync();
        try
        {
            await using var connection = new NpgsqlConnection(server);
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\" TEMPLATE \"{TemplateDatabase}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        finally
        {
            Gate.Release();
        }

        return WithDatabase(server, name);
    }

    /// <summary>Creates an empty database with no schema, for migration tests.</summary>
    public static async Task<string> CreateEmptyDatabaseAsync(string purpose)
    {
        var server = await EnsureStartedAsync();
        var name = $"acs_{Sanitize(purpose)}_{Guid.NewGuid():N}"[..40];
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await create.ExecuteNonQueryAsync();
        return WithDatabase(server, name);
    }

    public static async Task StopAsync()
    {
        if (_owned is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await _owned.DisposeAsync();
            _owned = null;
        }
    }

    private static async Task<string> EnsureStartedAsync()
    {
        if (_serverConnectionString is not null)
        {
            return _serverConnectionString;
        }

        await Gate.WaitAsync();
        try
        {
            if (_failure is not null)
            {
                Assert.Fail(_failure);
            }

            if (_serverConnectionString is not null)
            {
                return _serverConnectionString;
            }

            try
            {
                _serverConnectionString = await StartAsync();
                await CreateTemplateAsync(_serverConnectionString);
            }
            catch (Exception ex) when (ex is not AssertionException)
            {
                _failure = $"The test PostgreSQL could not be started ({Choice?.Explanation}): {ex.Message}";
                Assert.Fail(_failure);
            }

            return _serverConnectionString!;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<string> StartAsync()
    {
        var configured = Environment.GetEnvironmentVariable(PostgresServerChoice.ConnectionVariable);
        var binDirectory = LocalPostgresCluster.FindBinDirectory();
        var dockerAnswers = string.IsNullOrWhiteSpace(configured) && await DockerAnswersAsync();
        Choice = PostgresServerChoice.Choose(configured, dockerAnswers, binDirectory);
        await TestContext.Progress.WriteLineAsync($"Test database: {Choice.Source} ({Choice.Explanation})");

        switch (Choice.Source)
        {
            case PostgresServerSource.ConfiguredServer:
                return configured!;
            case PostgresServerSource.Testcontainers:
                var container = new PostgreSqlBuilder("postgres:15-alpine").Build();
                await container.StartAsync();
                _owned = container;
                return container.GetConnectionString();
            case PostgresServerSource.LocalCluster:
                var cluster = await LocalPostgresCluster.StartAsync(binDirectory!);
                _owned = cluster;
                return cluster.ConnectionString;
            default:
                throw new InvalidOperationException(Choice.Explanation);
        }
    }

    private static async Task CreateTemplateAsync(string server)
    {
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{TemplateDatabase}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{TemplateDatabase}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        await using (var dataSource = NpgsqlDataSource.Create(WithDatabase(server, TemplateDatabase)))
        {
            var outcome = await new DatabaseMigrator(dataSource, NullLogger<DatabaseMigrator>.Instance).MigrateAsync();
            if (!outcome.Succeeded)
            {
                throw new InvalidOperationException($"migrating the template database failed: {outcome.Error}");
            }
        }

        // CREATE DATABASE ... TEMPLATE needs the template to have no open connections.
        NpgsqlConnection.ClearAllPools();
    }

    private static async Task<bool> DockerAnswersAsync()
    {
        if (Environment.GetEnvironmentVariable("DOCKER_HOST") is null && !File.Exists("/var/run/docker.sock"))
        {
            return false;
        }

        try
        {
            var (exitCode, _) = await ProcessRunner.RunAsync("docker", ["info", "--format", "{{.ServerVersion}}"], TimeSpan.FromSeconds(15));
            return exitCode == 0;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or TimeoutException or InvalidOperationException)
        {
            return false;
        }
    }

    private static string WithDatabase(string server, string database) =>
        new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;

    private static string Sanitize(string purpose) =>
        new(purpose.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(16).ToArray());
}
