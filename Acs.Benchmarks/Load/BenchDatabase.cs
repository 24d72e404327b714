using System.Security.Cryptography;
using Acs.Core.Certificates;
using Acs.Testing.Tenants;
using Dapper;
using Npgsql;

namespace Acs.Benchmarks.Load;

/// <summary>Rows the load runs need, written with SQL the way an administrator's setup would leave them.</summary>
public static class BenchDatabase
{
    public const string TenantPrefix = "bench";

    /// <summary>(Re)creates the bench tenants, each trusting <paramref name="certificateDer"/>; removes their
    /// members, sessions and events from earlier runs (cascade) so every run starts alike.</summary>
    public static async Task SetupTenantsAsync(string connectionString, int count, byte[] certificateDer)
    {
        const string DeleteSql = """
            DELETE FROM tenants WHERE subdomain LIKE 'bench%'
            """;
        var certificate = TrustedCertificate.FromDer(certificateDer);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync(DeleteSql, transaction: transaction, commandTimeout: 600);
        for (var n = 0; n < count; n++)
        {
            await TenantSeeder.InsertAsync(connection, new SeedTenant(TenantPrefix + n)
            {
                DisplayName = "Bench " + n,
                IdpEntityId = Responses.EntraIdp.IdpEntityId,
                Certificates = [certificate],
            });
        }

        await transaction.CommitAsync();
    }

    /// <summary>The scale check's data: <paramref name="tenants"/> configured tenants and <paramref name="members"/>
    /// members spread evenly over them, as if every tenant had signed people in for a while.</summary>
    public static async Task SeedScaleAsync(string connectionString, int tenants, int members, byte[] certificateDer)
    {
        const string SeedSql = """
            INSERT INTO tenants (id, subdomain, display_name, created_at, updated_at)
            SELECT gen_random_uuid(), 'scale' || n, 'Scale ' || n, now(), now() FROM generate_series(1, @tenants) AS n;
            INSERT INTO idp_configs (tenant_id, idp_entity_id, sso_target_url, updated_at)
            SELECT id, 'https://sts.windows.net/' || gen_random_uuid() || '/', 'https://login.microsoftonline.com/x/saml2', now()
            FROM tenants WHERE subdomain LIKE 'scale%';
            INSERT INTO idp_certificates (tenant_id, thumbprint_sha256, thumbprint_sha1, der, subject, not_before, not_after, created_at)
            SELECT id, @sha256, @sha1, @der, 'CN=Microsoft Azure Federated SSO Certificate', now(), now() + interval '3 years', now()
            FROM tenants WHERE subdomain LIKE 'scale%';
            CREATE TEMP TABLE scale_tenants AS
                SELECT row_number() OVER (ORDER BY subdomain) - 1 AS n, id FROM tenants WHERE subdomain LIKE 'scale%';
            INSERT INTO members (id, tenant_id, email, first_name, last_name, role, status, created_via, idp_subject,
                                 created_at, updated_at, last_login_at)
            SELECT gen_random_uuid(), t.id, 'user' || m || '@scale' || t.n || '.test', 'First' || m, 'Last' || m, 'team_member',
                   'active', 'jit', gen_random_uuid()::text, now(), now(), now()
            FROM generate_series(0, @members - 1) AS m
            JOIN scale_tenants t ON t.n = m % @tenants;
            """;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await connection.ExecuteAsync(SeedSql, new
            {
                tenants,
                members,
                sha256 = Convert.ToHexStringLower(SHA256.HashData(certificateDer)),
                sha1 = Convert.ToHexString(SHA1.HashData(certificateDer)),
                der = certificateDer,
            }, transaction, commandTimeout: 1800);
            await transaction.CommitAsync();
        }

        await connection.ExecuteAsync("VACUUM ANALYZE", commandTimeout: 1800);
    }

    public static async Task<(long Tenants, long Members)> CountAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM tenants"),
            await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM members"));
    }
}
