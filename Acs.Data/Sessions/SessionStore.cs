using Acs.Core.Sessions;
using Acs.Data.Members;
using Dapper;
using Npgsql;

namespace Acs.Data.Sessions;

public sealed class SessionStore(NpgsqlDataSource dataSource) : ISessionStore
{
    private const string FindSql = """
        SELECT m.id, m.tenant_id, m.email, m.first_name, m.last_name, m.role, m.status, m.created_via, m.idp_subject,
               m.created_at, m.updated_at, m.last_login_at, s.expires_at AS session_expires_at
        FROM sessions s
        JOIN members m ON m.id = s.member_id AND m.tenant_id = s.tenant_id
        WHERE s.tenant_id = @TenantId AND s.token_hash = @TokenHash AND s.expires_at > @Now AND m.status = 'active'
        """;

    private const string EndSql = """
        DELETE FROM sessions WHERE tenant_id = @TenantId AND token_hash = @TokenHash
        """;

    public async Task<SessionMember?> FindAsync(Guid tenantId, byte[] tokenHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<MemberRow, DateTime, SessionMember>(
            new CommandDefinition(FindSql, new { TenantId = tenantId, TokenHash = tokenHash, Now = now }, cancellationToken: cancellationToken),
            (member, expiresAt) => new SessionMember(member.ToMember(), new DateTimeOffset(DateTime.SpecifyKind(expiresAt, DateTimeKind.Utc))),
            splitOn: "session_expires_at");
        return rows.SingleOrDefault();
    }

    public async Task EndAsync(Guid tenantId, byte[] tokenHash, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(EndSql, new { TenantId = tenantId, TokenHash = tokenHash },
            cancellationToken: cancellationToken));
    }
}
