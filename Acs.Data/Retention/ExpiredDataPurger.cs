using Acs.Core.Retention;
using Dapper;
using Npgsql;

namespace Acs.Data.Retention;

public sealed class ExpiredDataPurger(NpgsqlDataSource dataSource) : IExpiredDataPurger
{
    // Bounded batches keep each statement short on a large table.
    private const string PurgeAssertionsSql = """
        DELETE FROM consumed_assertions
        WHERE ctid IN (SELECT ctid FROM consumed_assertions WHERE expires_at < @Now LIMIT 10000)
        """;

    private const string PurgeSessionsSql = """
        DELETE FROM sessions
        WHERE ctid IN (SELECT ctid FROM sessions WHERE expires_at < @Now LIMIT 10000)
        """;

    private const string PurgeRequestsSql = """
        DELETE FROM authn_requests
        WHERE ctid IN (SELECT ctid FROM authn_requests WHERE expires_at < @Now LIMIT 10000)
        """;

    private const string PurgeSetupSessionsSql = """
        DELETE FROM setup_sessions
        WHERE ctid IN (SELECT ctid FROM setup_sessions WHERE expires_at < @Now LIMIT 10000)
        """;

    private const string PurgeLoginEventsSql = """
        DELETE FROM login_events
        WHERE ctid IN (SELECT ctid FROM login_events WHERE occurred_at < @Before LIMIT 10000)
        """;

    public async Task<int> PurgeAsync(DateTimeOffset now, DateTimeOffset loginEventsBefore, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var assertions = await connection.ExecuteAsync(new CommandDefinition(PurgeAssertionsSql, new { Now = now }, cancellationToken: cancellationToken));
        var sessions = await connection.ExecuteAsync(new CommandDefinition(PurgeSessionsSql, new { Now = now }, cancellationToken: cancellationToken));
        var requests = await connection.ExecuteAsync(new CommandDefinition(PurgeRequestsSql, new { Now = now }, cancellationToken: cancellationToken));
        var setupSessions = await connection.ExecuteAsync(new CommandDefinition(PurgeSetupSessionsSql, new { Now = now }, cancellationToken: cancellationToken));
        var events = await connection.ExecuteAsync(new CommandDefinition(PurgeLoginEventsSql, new { Before = loginEventsBefore },
            cancellationToken: cancellationToken));
        return assertions + sessions + requests + setupSessions + events;
    }
}
