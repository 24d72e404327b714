using Acs.Core.Administration;
using Acs.Core.Members;
using Dapper;
using Npgsql;

namespace Acs.Data.Members;

/// <summary>Team members as the administration API manages them; every statement filters by tenant_id.</summary>
public sealed class MemberAdminStore(NpgsqlDataSource dataSource) : IMemberAdminStore
{
    private const string Columns = MemberRow.Columns;

    public async Task<Page<Member>> ListAsync(Guid tenantId, string? emailContains, int offset, int limit, CancellationToken cancellationToken)
    {
        const string countSql = """
            SELECT count(*) FROM members
            WHERE tenant_id = @tenantId AND (CAST(@pattern AS text) IS NULL OR lower(email) LIKE @pattern ESCAPE '\')
            """;
        const string pageSql = $"""
            SELECT {Columns} FROM members
            WHERE tenant_id = @tenantId AND (CAST(@pattern AS text) IS NULL OR lower(email) LIKE @pattern ESCAPE '\')
            ORDER BY created_at, id
            LIMIT @limit OFFSET @offset
            """;
        var pattern = emailContains is null ? null : "%" + EscapeLike(emailContains.ToLowerInvariant()) + "%";
        var parameters = new { tenantId, pattern, offset, limit };
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(countSql, parameters, cancellationToken: cancellationToken));
        var rows = await connection.QueryAsync<MemberRow>(new CommandDefinition(pageSql, parameters, cancellationToken: cancellationToken));
        return new Page<Member>(rows.Select(r => r.ToMember()).ToList(), total, offset, limit);
    }

    public async Task<Member?> FindAsync(Guid tenantId, Guid memberId, CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT {Columns} FROM members WHERE tenant_id = @tenantId AND id = @memberId
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<MemberRow>(new CommandDefinition(sql, new { tenantId, memberId }, cancellationToken: cancellationToken));
        return row?.ToMember();
    }

    public async Task<bool> CreateAsync(Member member, CancellationToken cancellationToken)
    {
        // The unique index on (tenant_id, lower(email)) decides duplicates, also between concurrent requests.
        const string sql = """
            INSERT INTO members (id, tenant_id, email, first_name, last_name, role, status, created_via, idp_subject, created_at, updated_at, last_login_at)
            VALUES (@Id, @TenantId, @Email, @FirstName, @LastName, @Role, @Status, @CreatedVia, @IdpSubject, @CreatedAt, @UpdatedAt, @LastLoginAt)
            ON CONFLICT (tenant_id, lower(email)) DO NOTHING
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var inserted = await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            member.Id,
            member.TenantId,
            member.Email,
            member.FirstName,
            member.LastName,
            member.Role,
            member.Status,
            member.CreatedVia,
            member.IdpSubject,
            CreatedAt = member.CreatedAt.ToUniversalTime(),
            UpdatedAt = member.UpdatedAt.ToUniversalTime(),
            LastLoginAt = member.LastLoginAt?.ToUniversalTime(),
        }, cancellationToken: cancellationToken));
        return inserted == 1;
    }

    public async Task<Member?> UpdateAsync(Guid tenantId, Guid memberId, string? role, string? status, DateTimeOffset now, CancellationToken cancellationToken)
    {
        const string updateSql = $"""
            UPDATE members
            SET role = COALESCE(@role, role), status = COALESCE(@status, status), updated_at = @now
            WHERE tenant_id = @tenantId AND id = @memberId
            RETURNING {Columns}
            """;
        // A disabled member must not stay signed in: their sessions end with the change, in the same transaction.
        const string endSessionsSql = """
            DELETE FROM sessions
            WHERE tenant_id = @tenantId AND member_id = @memberId
              AND EXISTS (SELECT 1 FROM members WHERE tenant_id = @tenantId AND id = @memberId AND status = 'disabled')
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<MemberRow>(new CommandDefinition(updateSql,
            new { tenantId, memberId, role, status, now = now.ToUniversalTime() }, transaction, cancellationToken: cancellationToken));
        if (row is null)
        {
            return null;
        }

        await connection.ExecuteAsync(new CommandDefinition(endSessionsSql, new { tenantId, memberId }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return row.ToMember();
    }

    public async Task<bool> DeleteAsync(Guid tenantId, Guid memberId, CancellationToken cancellationToken)
    {
        // The FK would cascade too; deleting sessions explicitly keeps the statement scoped by tenant_id.
        const string endSessionsSql = """
            DELETE FROM sessions WHERE tenant_id = @tenantId AND member_id = @memberId
            """;
        const string deleteSql = """
            DELETE FROM members WHERE tenant_id = @tenantId AND id = @memberId
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(endSessionsSql, new { tenantId, memberId }, transaction, cancellationToken: cancellationToken));
        var deleted = await connection.ExecuteAsync(new CommandDefinition(deleteSql, new { tenantId, memberId }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return deleted == 1;
    }

    private static string EscapeLike(string text) =>
        text.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal);
}
