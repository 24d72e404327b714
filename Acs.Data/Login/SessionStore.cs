using Acs.Core.Login;
using Acs.Data.Members;
using Dapper;
using Npgsql;

namespace Acs.Data.Login;

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
        var row = await connection.QuerySingleOrDefaultAsync<SessionRow>(new CommandDefinition(FindSql,
            new { TenantId = tenantId, TokenHash = tokenHash, Now = now }, cancellationToken: cancellationToken));
        return row is null
            ? null
            : new SessionMember(row.ToMember(), new DateTimeOffset(DateTime.SpecifyKind(row.SessionExpiresAt, DateTimeKind.Utc)));
    }

    public async Task EndAsync(Guid tenantId, byte[] tokenHash, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(EndSql, new { TenantId = tenantId, TokenHash = tokenHash },
            cancellationToken: cancellationToken));
    }

    private sealed class SessionRow
    {
        public Guid Id { get; init; }
        public Guid TenantId { get; init; }
        public string Email { get; init; } = "";
        public string FirstName { get; init; } = "";
        public string LastName { get; init; } = "";
        public string Role { get; init; } = "";
        public string Status { get; init; } = "";
        public string CreatedVia { get; init; } = "";
        public string? IdpSubject { get; init; }
        public DateTime CreatedAt { get; init; }
        public DateTime UpdatedAt { get; init; }
        public DateTime? LastLoginAt { get; init; }
        public DateTime SessionExpiresAt { get; init; }

        public Acs.Core.Members.Member ToMember() => new MemberRow
        {
            Id = Id, TenantId = TenantId, Email = Email, FirstName = FirstName, LastName = LastName, Role = Role, Status = Status,
            CreatedVia = CreatedVia, IdpSubject = IdpSubject, CreatedAt = CreatedAt, UpdatedAt = UpdatedAt, LastLoginAt = LastLoginAt,
        }.ToMember();
    }
}
