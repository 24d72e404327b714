using System.Reflection;
using DbUp;
using DbUp.Engine.Output;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Acs.Data.Migrations;

/// <summary>Applies the numbered, forward-only SQL scripts embedded in this assembly.</summary>
public sealed class DatabaseMigrator(NpgsqlDataSource dataSource, ILogger<DatabaseMigrator> logger)
{
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
                var engine = DeployChanges.To
                    .PostgresqlDatabase(dataSource.ConnectionString)
                    .WithScriptsEmbeddedInAssembly(ScriptAssembly, IsMigrationScript)
                    .WithTransactionPerScript()
                    .LogTo(new MigrationLog(logger))
                    .Build();

                var result = engine.PerformUpgrade();
                var applied = result.Scripts.Select(s => s.Name).ToArray();
                return result.Successful
                    ? new MigrationOutcome(true, applied, null)
                    : new MigrationOutcome(false, applied, $"{result.ErrorScript?.Name ?? "a migration"} failed: {result.Error?.Message}");
            }
            finally
            {
                await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", lockConnection);
                release.Parameters.AddWithValue("key", MigrationLockKey);
                await release.ExecuteNonQueryAsync(CancellationToken.None);
            }
        }
        catch (NpgsqlException ex)
        {
            return new MigrationOutcome(false, [], $"database unreachable: {ex.Message}");
        }
    }

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

public sealed record MigrationOutcome(bool Succeeded, IReadOnlyList<string> AppliedScripts, string? Error);
