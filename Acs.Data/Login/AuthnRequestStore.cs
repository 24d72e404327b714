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

    public async Task SaveAsync(Guid tenantId, string requestId, string returnTo, DateTimeOffset createdAt, DateTimeOffset expiresAt,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(SaveSql,
            new { TenantId = tenantId, RequestId = requestId, ReturnTo = returnTo, CreatedAt = createdAt, ExpiresAt = expiresAt },
            cancellationToken: cancellationToken));
    }
}
