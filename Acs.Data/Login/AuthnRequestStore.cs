using Acs.Core.Login;
using Dapper;
using Npgsql;

namespace Acs.Data.Login;

public sealed class AuthnRequestStore(NpgsqlDataSource dataSource) : IAuthnRequestStore
{
    private const string SaveSql = """
        INSERT INTO authn_requests (tenant_id, request_id, return_to, created_at, expires_at)
        VALUES (@TenantId, @RequestId, @ReturnTo, @CreatedAt, @ExpiresAt)
        """;

    private const string IsOutstandingSql = """
        SELECT EXISTS (SELECT 1 FROM authn_requests WHERE tenant_id = @TenantId AND request_id = @RequestId AND expires_at > @Now)
        """;

    public async Task SaveAsync(Guid tenantId, string requestId, string returnTo, DateTimeOffset createdAt, DateTimeOffset expiresAt,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(SaveSql,
            new { TenantId = tenantId, RequestId = requestId, ReturnTo = returnTo, CreatedAt = createdAt, ExpiresAt = expiresAt },
            cancellationToken: cancellationToken));
    }

    public async Task<bool> IsOutstandingAsync(Guid tenantId, string requestId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(IsOutstandingSql,
            new { TenantId = tenantId, RequestId = requestId, Now = now }, cancellationToken: cancellationToken));
    }
}
