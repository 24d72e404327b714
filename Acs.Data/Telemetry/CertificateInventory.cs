using Acs.Core.Telemetry;
using Dapper;
using Npgsql;

namespace Acs.Data.Telemetry;

public sealed class CertificateInventory(NpgsqlDataSource dataSource) : ICertificateInventory
{
    // One pass over a narrow table (a few rows per tenant); no index is needed at 100,000 tenants.
    private const string CountSql = """
        SELECT count(*) FILTER (WHERE not_after > @ExpiringBy) AS valid,
               count(*) FILTER (WHERE not_after > @Now AND not_after <= @ExpiringBy) AS expiring,
               count(*) FILTER (WHERE not_after <= @Now) AS expired
        FROM idp_certificates
        """;

    public async Task<CertificateExpiryCounts> CountByExpiryAsync(DateTimeOffset now, DateTimeOffset expiringBy, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var (valid, expiring, expired) = await connection.QuerySingleAsync<(long, long, long)>(
            new CommandDefinition(CountSql, new { Now = now, ExpiringBy = expiringBy }, cancellationToken: cancellationToken));
        return new CertificateExpiryCounts(valid, expiring, expired);
    }
}
