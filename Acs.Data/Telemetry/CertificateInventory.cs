using Acs.Core.Administration;
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

    public async Task<Page<TenantCertificate>> ListEndingByAsync(DateTimeOffset endingBy, DateTimeOffset? endingAfter, int offset, int limit,
        CancellationToken cancellationToken)
    {
        const string countSql = """
            SELECT count(*) FROM idp_certificates
            WHERE not_after <= @endingBy AND (CAST(@endingAfter AS timestamptz) IS NULL OR not_after > @endingAfter)
            """;
        const string pageSql = """
            SELECT c.tenant_id, t.subdomain, c.thumbprint_sha256, c.subject, c.not_before, c.not_after
            FROM idp_certificates c
            JOIN tenants t ON t.id = c.tenant_id
            WHERE c.not_after <= @endingBy AND (CAST(@endingAfter AS timestamptz) IS NULL OR c.not_after > @endingAfter)
            ORDER BY c.not_after, t.subdomain, c.thumbprint_sha256
            LIMIT @limit OFFSET @offset
            """;
        var parameters = new { endingBy, endingAfter, offset, limit };
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(countSql, parameters, cancellationToken: cancellationToken));
        var rows = await connection.QueryAsync<(Guid TenantId, string Subdomain, string ThumbprintSha256, string Subject, DateTime NotBefore, DateTime NotAfter)>(
            new CommandDefinition(pageSql, parameters, cancellationToken: cancellationToken));
        var items = rows.Select(r => new TenantCertificate(r.TenantId, r.Subdomain, r.ThumbprintSha256, r.Subject,
            new DateTimeOffset(DateTime.SpecifyKind(r.NotBefore, DateTimeKind.Utc)), new DateTimeOffset(DateTime.SpecifyKind(r.NotAfter, DateTimeKind.Utc)))).ToList();
        return new Page<TenantCertificate>(items, total, offset, limit);
    }
}
