using Acs.Core.Certificates;
using Dapper;
using Npgsql;

namespace Acs.Data.Tenants;

/// <summary>
/// Seeds the demo tenant of local development: on an empty database, a tenant whose SSO trusts the development IdP.
/// A demo tenant that already trusts the development IdP is kept trusting its current certificate.
/// </summary>
public sealed class DemoTenantSeeder(NpgsqlDataSource dataSource)
{
    private const string CountTenantsSql = """
        SELECT count(*) FROM tenants
        """;

    private const string InsertTenantSql = """
        INSERT INTO tenants (id, subdomain, display_name, role_mappings, created_at, updated_at)
        VALUES (@Id, @Subdomain, @DisplayName, @RoleMappings::jsonb, @Now, @Now)
        """;

    private const string UpsertIdpSql = """
        INSERT INTO idp_configs (tenant_id, idp_entity_id, sso_target_url, updated_at)
        SELECT t.id, @IdpEntityId, @SsoTargetUrl, @Now FROM tenants t WHERE t.subdomain = @Subdomain
        ON CONFLICT (tenant_id) DO UPDATE SET sso_target_url = EXCLUDED.sso_target_url, updated_at = EXCLUDED.updated_at
        WHERE idp_configs.idp_entity_id = EXCLUDED.idp_entity_id
        """;

    private const string TrustCertificateSql = """
        INSERT INTO idp_certificates (tenant_id, thumbprint_sha256, thumbprint_sha1, der, subject, not_before, not_after, created_at)
        SELECT i.tenant_id, @ThumbprintSha256, @ThumbprintSha1, @Der, @Subject, @NotBefore, @NotAfter, @Now
        FROM idp_configs i JOIN tenants t ON t.id = i.tenant_id
        WHERE t.subdomain = @Subdomain AND i.idp_entity_id = @IdpEntityId
        ON CONFLICT (tenant_id, thumbprint_sha256) DO NOTHING
        """;

    /// <returns>True when the tenant was created by this call.</returns>
    public async Task<bool> EnsureAsync(string subdomain, string displayName, string idpEntityId, string ssoTargetUrl,
        string roleMappingsJson, TrustedCertificate certificate, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var created = false;
        if (await connection.ExecuteScalarAsync<long>(new CommandDefinition(CountTenantsSql, transaction: transaction,
                cancellationToken: cancellationToken)) == 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(InsertTenantSql,
                new { Id = Guid.NewGuid(), Subdomain = subdomain, DisplayName = displayName, RoleMappings = roleMappingsJson, Now = now },
                transaction, cancellationToken: cancellationToken));
            created = true;
        }

        var parameters = new
        {
            Subdomain = subdomain,
            IdpEntityId = idpEntityId,
            SsoTargetUrl = ssoTargetUrl,
            Now = now,
            certificate.ThumbprintSha256,
            certificate.ThumbprintSha1,
            certificate.Der,
            certificate.Subject,
            certificate.NotBefore,
            certificate.NotAfter,
        };
        await connection.ExecuteAsync(new CommandDefinition(UpsertIdpSql, parameters, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(TrustCertificateSql, parameters, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return created;
    }
}
