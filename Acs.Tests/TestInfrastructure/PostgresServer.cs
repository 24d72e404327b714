using Acs.Data.Migrations;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Testcontainers.PostgreSql;

namespace Acs.Tests.TestInfrastructure;

/// <summary>
/// The one PostgreSQL server of a test run, started on first use: <c>ACS_TEST_DATABASE</c>, else Testcontainers when a
/// Docker engine answers (falling back to the local binaries when the container cannot start), else a throwaway
/// cluster from the machine's binaries. Tests get their own databases, cloned from a migrated template, so fixtures
/// stay isolated and can run in parallel. A fixture's databases are dropped when it ends
/// (<see cref="ReleaseFixtureDatabasesAttribute"/>), which also closes every connection its pools still hold: the
/// server keeps PostgreSQL's default <c>max_connections</c> of 100 for the whole run.
/// </summary>
public static class PostgresServer
{
    private const string TemplateDatabase = "acs_test_template";
    private const string ReportVariable = "ACS_TEST_DATABASE_REPORT";
    private static readonly TimeSpan ContainerStartTimeout = TimeSpan.FromSeconds(120);

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, System.Collections.Concurrent.ConcurrentBag<string>> DatabasesByFixture = new();
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

        Track(name);
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
        Track(name);
        return WithDatabase(server, name);
    }

    /// <summary>Drops the databases a fixture created, ending every connection still open to them.</summary>
    public static async Task DropDatabasesOfAsync(string fixtureId)
    {
        if (_serverConnectionString is null || !DatabasesByFixture.TryRemove(fixtureId, out var names))
        {
            return;
        }

        await using var connection = new NpgsqlConnection(_serverConnectionString);
        await connection.OpenAsync();
        foreach (var name in names)
        {
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    private static void Track(string database)
    {
        if (CurrentFixtureId() is { } fixtureId)
        {
            DatabasesByFixture.GetOrAdd(fixtureId, _ => []).Add(database);
        }
    }

    private static string? CurrentFixtureId()
    {
        for (var test = NUnit.Framework.Internal.TestExecutionContext.CurrentContext.CurrentTest; test is not null; test = test.Parent as NUnit.Framework.Internal.Test)
        {
            if (test is NUnit.Framework.Internal.TestFixture)
            {
                return test.Id;
            }
        }

        return null;
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

        if (Choice.Source == PostgresServerSource.Testcontainers)
        {
            try
            {
                var started = await StartContainerAsync();
                await ReportChoiceAsync();
                return started;
            }
            catch (Exception ex) when (ex is not AssertionException)
            {
                Choice = PostgresServerChoice.AfterContainerFailure(FirstLine(ex), binDirectory);
                // Standard error reaches the console at dotnet test's default verbosity; Progress does not.
                await Console.Error.WriteLineAsync($"WARNING: {Choice.Explanation}");
            }
        }

        await ReportChoiceAsync();
        switch (Choice.Source)
        {
            case PostgresServerSource.ConfiguredServer:
                return configured!;
            case PostgresServerSource.LocalCluster:
                var cluster = await LocalPostgresCluster.StartAsync(binDirectory!);
                _owned = cluster;
                return cluster.ConnectionString;
            default:
                throw new InvalidOperationException(Choice.Explanation);
        }
    }

    private static async Task<string> StartContainerAsync()
    {
        var container = new PostgreSqlBuilder("postgres:15-alpine").Build();
        using var patience = new CancellationTokenSource(ContainerStartTimeout);
        try
        {
            await container.StartAsync(patience.Token);
        }
        catch (OperationCanceledException) when (patience.IsCancellationRequested)
        {
            await container.DisposeAsync();
            throw new TimeoutException($"the container was not ready within {ContainerStartTimeout.TotalSeconds:0} s");
        }
        catch
        {
            await container.DisposeAsync();
            throw;
        }

        _owned = container;
        return container.GetConnectionString();
    }

    /// <summary>
    /// Says which database the run uses, on the test output and, when <c>ACS_TEST_DATABASE_REPORT</c> names a file,
    /// in that file (CI prints it after the run).
    /// </summary>
    private static async Task ReportChoiceAsync()
    {
        var line = $"Test database: {Choice!.Source} ({Choice.Explanation})";
        await Console.Error.WriteLineAsync(line);
        if (Environment.GetEnvironmentVariable(ReportVariable) is { Length: > 0 } reportFile)
        {
            await File.WriteAllTextAsync(reportFile, line + Environment.NewLine);
        }
    }

    private static string FirstLine(Exception ex)
    {
        var message = $"{ex.GetType().Name}: {ex.Message}";
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
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
