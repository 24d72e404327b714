using Acs.Core.Administration;
using Acs.Core.Audit;
using Dapper;
using Npgsql;

namespace Acs.Data.Audit;

/// <summary>The audit event table: appended by the administration use cases and the metadata refresh, read by support.</summary>
public sealed class AuditEventStore(NpgsqlDataSource dataSource) : IAuditLog
{
    internal const string InsertSql = """
        INSERT INTO audit_events (id, tenant_id, occurred_at, actor, action, subject, detail)
        VALUES (@Id, @TenantId, @OccurredAt, @Actor, @Action, @Subject, @Detail)
        """;

    public async Task AppendAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await AppendAsync(connection, null, events, cancellationToken);
    }

    public async Task<Page<AuditEvent>> ListAsync(Guid tenantId, int offset, int limit, CancellationToken cancellationToken)
    {
        const string countSql = """
            SELECT count(*) FROM audit_events WHERE tenant_id = @tenantId
            """;
        const string pageSql = """
            SELECT id, tenant_id, occurred_at, actor, action, subject, detail
            FROM audit_events
            WHERE tenant_id = @tenantId
            ORDER BY occurred_at DESC, id DESC
            LIMIT @limit OFFSET @offset
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(countSql, new { tenantId }, cancellationToken: cancellationToken));
        var rows = await connection.QueryAsync<AuditRow>(new CommandDefinition(pageSql, new { tenantId, offset, limit }, cancellationToken: cancellationToken));
        return new Page<AuditEvent>(rows.Select(r => r.ToEvent()).ToList(), total, offset, limit);
    }

    /// <summary>Appends inside the caller's transaction, so a change and its audit event commit together.</summary>
    internal static async Task AppendAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyList<AuditEvent> events,
        CancellationToken cancellationToken)
    {
        foreach (var e in events)
        {
            await connection.ExecuteAsync(new CommandDefinition(InsertSql, new
            {
                e.Id,
                e.TenantId,
                OccurredAt = e.OccurredAt.ToUniversalTime(),
                e.Actor,
                e.Action,
                e.Subject,
                Detail = PostgresText.Storable(e.Detail),
            }, transaction, cancellationToken: cancellationToken));
        }
    }

    internal sealed class AuditRow
    {
        public Guid Id { get; init; }
        public Guid TenantId { get; init; }
        public DateTime OccurredAt { get; init; }
        public string Actor { get; init; } = "";
        public string Action { get; init; } = "";
        public string? Subject { get; init; }
        public string Detail { get; init; } = "";

        public AuditEvent ToEvent() =>
            new(Id, TenantId, new DateTimeOffset(DateTime.SpecifyKind(OccurredAt, DateTimeKind.Utc)), Actor, Action, Subject, Detail);
    }
}
