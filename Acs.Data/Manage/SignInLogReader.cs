using Acs.Core.LoginEvents;
using Acs.Core.Manage;
using Acs.Data.LoginEvents;
using Dapper;
using Npgsql;

namespace Acs.Data.Manage;

/// <summary>A tenant's login events with the member each signed in, for the administration pages.</summary>
public sealed class SignInLogReader(NpgsqlDataSource dataSource) : ISignInLogReader
{
    private const string Select = """
        SELECT e.id, e.occurred_at, e.outcome, e.error_code, e.message, e.expected, e.received, e.name_id, e.member_id,
               e.assertion_id, e.client_address, e.user_agent, e.diagnosis_cause, e.diagnosis_fix, e.diagnosis_advice,
               m.email AS member_email, m.first_name AS member_first_name, m.last_name AS member_last_name, m.role AS member_role
        FROM login_events e
        LEFT JOIN members m ON m.id = e.member_id AND m.tenant_id = e.tenant_id
        """;

    public async Task<IReadOnlyList<SignInLogEntry>> ListAsync(Guid tenantId, string? outcome, string? person, int limit,
        CancellationToken cancellationToken)
    {
        const string sql = $"""
            {Select}
            WHERE e.tenant_id = @tenantId AND (CAST(@outcome AS text) IS NULL OR e.outcome = @outcome)
              AND (CAST(@pattern AS text) IS NULL OR lower(e.name_id) LIKE @pattern ESCAPE '\' OR lower(m.email) LIKE @pattern ESCAPE '\')
            ORDER BY e.occurred_at DESC, e.id DESC
            LIMIT @limit
            """;
        var pattern = person is null ? null : "%" + EscapeLike(person.ToLowerInvariant()) + "%";
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(sql, new { tenantId, outcome, pattern, limit }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToSignInLogEntry()).ToList();
    }

    public async Task<SignInLogEntry?> FindAsync(Guid tenantId, Guid eventId, CancellationToken cancellationToken)
    {
        const string sql = $"""
            {Select}
            WHERE e.tenant_id = @tenantId AND e.id = @eventId
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(sql, new { tenantId, eventId }, cancellationToken: cancellationToken));
        return row?.ToSignInLogEntry();
    }

    public async Task<SignInLogEntry?> FindFirstSinceAsync(Guid tenantId, DateTimeOffset since, string? userAgent, CancellationToken cancellationToken)
    {
        const string sql = $"""
            {Select}
            WHERE e.tenant_id = @tenantId AND e.occurred_at >= @since AND e.user_agent IS NOT DISTINCT FROM @userAgent
            ORDER BY e.occurred_at, e.id
            LIMIT 1
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(sql, new { tenantId, since, userAgent },
            cancellationToken: cancellationToken));
        return row?.ToSignInLogEntry();
    }

    private static string EscapeLike(string text) => text.Replace(@"\", @"\\", StringComparison.Ordinal)
        .Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal);

    /// <summary>A login event row (<see cref="LoginEventReader.LoginEventRow"/>, diagnosis included) with its member's names.</summary>
    private sealed class Row : LoginEventReader.LoginEventRow
    {
        public string? MemberEmail { get; init; }
        public string? MemberFirstName { get; init; }
        public string? MemberLastName { get; init; }
        public string? MemberRole { get; init; }

        public SignInLogEntry ToSignInLogEntry() => new(ToEntry(), MemberEmail, MemberFirstName, MemberLastName, MemberRole);
    }
}
