using Acs.Core.Diagnosis;
using Dapper;
using Npgsql;

namespace Acs.Data.Diagnosis;

/// <summary>Whether other tenants trust a certificate: one indexed existence check, never which tenant.</summary>
public sealed class CertificateTrustDirectory(NpgsqlDataSource dataSource) : ICertificateTrustDirectory
{
    private const string TrustedElsewhereSql = """
        SELECT EXISTS (
            SELECT 1 FROM idp_certificates
            WHERE thumbprint_sha256 = ANY(@thumbprints) AND tenant_id <> @tenantId)
        """;

    public async Task<bool> IsTrustedByAnotherTenantAsync(Guid tenantId, IReadOnlyList<string> thumbprintsSha256, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(thumbprintsSha256);
        if (thumbprintsSha256.Count == 0)
        {
            return false;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(TrustedElsewhereSql,
            new { tenantId, thumbprints = thumbprintsSha256.ToArray() }, cancellationToken: cancellationToken));
    }
}
