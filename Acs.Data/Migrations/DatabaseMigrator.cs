using System.Reflection;
using DbUp;
using DbUp.Engine.Output;
using DbUp.Postgresql;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Acs.Data.Migrations;

/// <summary>Applies the numbered, forward-only SQL scripts embedded in this assembly.</summary>
public sealed class DatabaseMigrator(
    [FromKeyedServices(DatabaseMigrator.DataSourceKey)] NpgsqlDataSource dataSource,
    ILogger<DatabaseMigrator> logger)
{
    /// <summary>The service key of the migrations' own data source (two connections: the lock's and DbUp's).</summary>
    public const string DataSourceKey = "migrations";

    // Serialises migrations when several replicas start at once.
    private const long MigrationLockKey = 0x4163_734D_6967;

    private static readonly Assembly ScriptAssembly = typeof(DatabaseMigrator).Assembly;

    /// <summary>Names of the embedded migration scripts, in the order they apply.</summary>
    public static IReadOnlyList<string> ScriptNames { get; } = ScriptAssembly
        .GetManifestResourceNames()
        .Where(IsMigrationScript)
        .Order(StringComparer.Ordinal)
        .ToArray();

    public async Task<MigrationOutcome> MigrateAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await using var lockConnection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", lockConnection))
            {
                take.Parameters.AddWithValue("key", MigrationLockKey);
                await take.ExecuteNonQueryAsync(cancellationToken);
            }

            try
            {
                // The data source, not its ConnectionString: Npgsql strips the password from that property, so DbUp
                // would connect without one and fail against any server that asks for it.
                var engine = DeployChanges.To
                    .PostgresqlDatabase(new PostgresqlConnectionManager(dataSource))
                    .WithScriptsEmbeddedInAssembly(ScriptAssembly, IsMigrationScript)
                    .WithTransactionPerScript()
                    .LogTo(new MigrationLog(logger))
                    .Build();

                var result = engine.PerformUpgrade();
                var applied = result.Scripts.Select(s => s.Name).ToArray();
                if (result.Successful)
                {
                    return new MigrationOutcome(true, applied, null);
                }

                var kind = result.Error is null ? DatabaseFailureKind.None : DatabaseFailures.Classify(result.Error);
                return new MigrationOutcome(false, applied, new MigrationFailure(
                    kind == DatabaseFailureKind.None ? MigrationFailureKind.ScriptFailed : ToFailureKind(kind),
                    $"{result.ErrorScript?.Name ?? "a migration"} failed: {result.Error?.Message}"));
            }
            finally
            {
                await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", lockConnection);
                release.Parameters.AddWithValue("key", MigrationLockKey);
                await release.ExecuteNonQueryAsync(CancellationToken.None);
            }
        }
        catch (Exception ex) when (DatabaseFailures.Classify(ex) is not DatabaseFailureKind.None and var kind)
        {
            return new MigrationOutcome(false, [], new MigrationFailure(ToFailureKind(kind), Describe(kind, ex)));
        }
    }

    private static MigrationFailureKind ToFailureKind(DatabaseFailureKind kind) => kind switch
    {
        DatabaseFailureKind.CredentialsRefused => MigrationFailureKind.CredentialsRefused,
        DatabaseFailureKind.DatabaseMissing => MigrationFailureKind.DatabaseMissing,
        _ => MigrationFailureKind.Unreachable,
    };

    private static string Describe(DatabaseFailureKind kind, Exception ex) => kind switch
    {
        DatabaseFailureKind.CredentialsRefused =>
            $"PostgreSQL refused the credentials of ConnectionStrings__Acs (check Username and Password): {ex.Message}",
        DatabaseFailureKind.DatabaseMissing =>
            $"the database named in ConnectionStrings__Acs does not exist (create it or fix Database=): {ex.Message}",
        _ => $"database unreachable: {ex.Message}",
    };

    private static bool IsMigrationScript(string resourceName) =>
        resourceName.StartsWith("Acs.Data.Migrations.", StringComparison.Ordinal)
        && resourceName.EndsWith(".sql", StringComparison.Ordinal);

    private sealed class MigrationLog(ILogger logger) : IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) { }
        public void LogDebug(string format, params object[] args) { }
        public void LogInformation(string format, params object[] args) =>
            logger.LogInformation("Migration: {Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
        public void LogWarning(string format, params object[] args) =>
            logger.LogWarning("Migration: {Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
        public void LogError(string format, params object[] args) =>
            logger.LogError("Migration: {Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
        public void LogError(Exception ex, string format, params object[] args) =>
            logger.LogError(ex, "Migration: {Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
    }
}

public sealed record MigrationOutcome(bool Succeeded, IReadOnlyList<string> AppliedScripts, MigrationFailure? Failure)
{
    /// <summary>The reason, for a log line or a test message; null on success.</summary>
    public string? Error => Failure?.Message;
}

public enum MigrationFailureKind
{
    /// <summary>The server did not answer (yet): worth waiting for at start-up.</summary>
    Unreachable,
    CredentialsRefused,
    DatabaseMissing,
    ScriptFailed,
}

public sealed record MigrationFailure(MigrationFailureKind Kind, string Message);
