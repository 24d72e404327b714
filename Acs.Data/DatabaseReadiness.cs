using Acs.Data.Migrations;
using Npgsql;

namespace Acs.Data;

/// <summary>Answers "can the service serve logins": the database answers and every migration is applied.</summary>
public sealed class DatabaseReadiness(NpgsqlDataSource dataSource)
{
    private const string AppliedScriptsSql = """
        SELECT scriptname FROM schemaversions
        """;

    public async Task<ReadinessReport> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var command = new NpgsqlCommand(AppliedScriptsSql, connection);
            var applied = new HashSet<string>(StringComparer.Ordinal);
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    applied.Add(reader.GetString(0));
                }
            }

            var pending = DatabaseMigrator.ScriptNames.Where(s => !applied.Contains(s)).ToArray();
            return pending.Length == 0
                ? new ReadinessReport(true, "database reachable and migrated")
                : new ReadinessReport(false, $"{pending.Length} migration(s) not applied");
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return new ReadinessReport(false, "database not migrated");
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or OperationCanceledException or System.Net.Sockets.SocketException)
        {
            return new ReadinessReport(false, "database unreachable");
        }
    }
}

public sealed record ReadinessReport(bool IsReady, string Description);
