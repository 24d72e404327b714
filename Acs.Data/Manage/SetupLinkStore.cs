using Acs.Core.Manage;
using Dapper;
using Npgsql;

namespace Acs.Data.Manage;

/// <summary>Setup links and setup sessions; only token hashes are stored.</summary>
public sealed class SetupLinkStore(NpgsqlDataSource dataSource) : ISetupLinkStore
{
    private const string Columns = "id, tenant_id, created_at, expires_at, revoked_at";

    public async Task CreateAsync(SetupLink link, byte[] tokenHash, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO setup_links (id, tenant_id, token_hash, created_at, expires_at)
            VALUES (@Id, @TenantId, @TokenHash, @CreatedAt, @ExpiresAt)
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(sql,
            new { link.Id, link.TenantId, TokenHash = tokenHash, link.CreatedAt, link.ExpiresAt }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<SetupLink>> ListAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT {Columns} FROM setup_links WHERE tenant_id = @tenantId ORDER BY created_at DESC, id
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<SetupLinkRow>(new CommandDefinition(sql, new { tenantId }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToLink()).ToList();
    }

    public async Task<SetupLink?> FindByTokenHashAsync(byte[] tokenHash, CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT {Columns} FROM setup_links WHERE token_hash = @tokenHash
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<SetupLinkRow>(new CommandDefinition(sql, new { tokenHash }, cancellationToken: cancellationToken));
        return row?.ToLink();
    }

    public async Task<bool> RevokeAsync(Guid tenantId, Guid linkId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        const string revokeSql = """
            UPDATE setup_links SET revoked_at = COALESCE(revoked_at, @now) WHERE tenant_id = @tenantId AND id = @linkId
            """;
        const string endSessionsSql = """
            DELETE FROM setup_sessions WHERE tenant_id = @tenantId AND setup_link_id = @linkId
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var parameters = new { tenantId, linkId, now };
        var updated = await connection.ExecuteAsync(new CommandDefinition(revokeSql, parameters, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(endSessionsSql, parameters, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return updated == 1;
    }

    public async Task OpenSessionAsync(Guid tenantId, Guid linkId, byte[] sessionTokenHash, DateTimeOffset now, DateTimeOffset expiresAt,
        CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO setup_sessions (token_hash, tenant_id, setup_link_id, created_at, expires_at)
            VALUES (@sessionTokenHash, @tenantId, @linkId, @now, @expiresAt)
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(sql, new { sessionTokenHash, tenantId, linkId, now, expiresAt }, cancellationToken: cancellationToken));
    }

    public async Task<SetupSession?> FindSessionAsync(Guid tenantId, byte[] sessionTokenHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT s.tenant_id, s.setup_link_id, s.expires_at
            FROM setup_sessions s
            JOIN setup_links l ON l.id = s.setup_link_id AND l.tenant_id = s.tenant_id
            WHERE s.tenant_id = @tenantId AND s.token_hash = @sessionTokenHash AND s.expires_at > @now
              AND l.revoked_at IS NULL AND l.expires_at > @now
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<SetupSessionRow>(new CommandDefinition(sql, new { tenantId, sessionTokenHash, now },
            cancellationToken: cancellationToken));
        return row is null ? null : new SetupSession(row.TenantId, row.SetupLinkId, Utc(row.ExpiresAt));
    }

    public async Task EndSessionAsync(Guid tenantId, byte[] sessionTokenHash, CancellationToken cancellationToken)
    {
        const string sql = """
            DELETE FROM setup_sessions WHERE tenant_id = @tenantId AND token_hash = @sessionTokenHash
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(sql, new { tenantId, sessionTokenHash }, cancellationToken: cancellationToken));
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    private sealed class SetupLinkRow
    {
        public Guid Id { get; init; }
        public Guid TenantId { get; init; }
        public DateTime CreatedAt { get; init; }
        public DateTime ExpiresAt { get; init; }
        public DateTime? RevokedAt { get; init; }

        public SetupLink ToLink() => new(Id, TenantId, Utc(CreatedAt), Utc(ExpiresAt), RevokedAt is { } r ? Utc(r) : null);
    }

    private sealed class SetupSessionRow
    {
        public Guid TenantId { get; init; }
        public Guid SetupLinkId { get; init; }
        public DateTime ExpiresAt { get; init; }
    }
}
