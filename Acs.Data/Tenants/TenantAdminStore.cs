using System.Text.Json;
using Acs.Core.Administration;
using Acs.Core.Saml.Encryption;
using Acs.Core.Tenants;
using Dapper;
using Npgsql;

namespace Acs.Data.Tenants;

/// <summary>The administration API's writes to tenants, their IdP and trusted certificates.</summary>
/// <remarks>Every committed change is reported to <see cref="TenantChangeFeed.ChangedHere"/>: this replica's tenant cache
/// drops the tenant at once; the others hear of it by notification.</remarks>
public sealed class TenantAdminStore(NpgsqlDataSource dataSource, TenantChangeFeed changes) : ITenantAdminStore
{
    public async Task<Guid?> FindIdAsync(string subdomain, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT id FROM tenants WHERE subdomain = @subdomain
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition(sql, new { subdomain }, cancellationToken: cancellationToken));
    }

    public async Task<bool> CreateAsync(Guid id, string subdomain, string displayName, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // ON CONFLICT rather than a prior SELECT: two concurrent creations of one subdomain give one 201 and one 409.
        const string sql = """
            INSERT INTO tenants (id, subdomain, display_name, created_at, updated_at)
            VALUES (@id, @subdomain, @displayName, @now, @now)
            ON CONFLICT (subdomain) DO NOTHING
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var inserted = await connection.ExecuteAsync(new CommandDefinition(sql, new { id, subdomain, displayName, now }, cancellationToken: cancellationToken));
        return inserted == 1;
    }

    public async Task<Page<Tenant>> ListAsync(int offset, int limit, CancellationToken cancellationToken)
    {
        // Listing tenants is the one read across tenants: it is over the tenants table itself.
        const string countSql = """
            SELECT count(*) FROM tenants
            """;
        const string pageSql = """
            WITH page AS (
                SELECT id FROM tenants ORDER BY subdomain LIMIT @limit OFFSET @offset
            )
            SELECT t.id, t.subdomain, t.display_name, t.jit_enabled, t.default_role, t.allowed_email_domains,
                   t.clock_skew_seconds, t.allow_sha1, t.allow_idp_initiated, t.role_mappings::text AS role_mappings,
                   t.created_at, t.updated_at, t.encrypted_assertions,
                   i.idp_entity_id, i.sso_target_url,
                   c.thumbprint_sha256, c.thumbprint_sha1, c.der, c.subject, c.not_before, c.not_after, c.created_at AS cert_created_at,
                   c.left_metadata_at
            FROM page p
            JOIN tenants t ON t.id = p.id
            LEFT JOIN idp_configs i ON i.tenant_id = t.id
            LEFT JOIN idp_certificates c ON c.tenant_id = t.id
            ORDER BY t.subdomain, c.created_at, c.thumbprint_sha256
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(countSql, cancellationToken: cancellationToken));
        var rows = await connection.QueryAsync<TenantDirectory.TenantRow>(new CommandDefinition(pageSql, new { offset, limit }, cancellationToken: cancellationToken));
        var tenants = rows.GroupBy(r => r.Id).Select(g => TenantDirectory.TenantRow.ToTenant(g.ToList())).ToList();
        return new Page<Tenant>(tenants, total, offset, limit);
    }

    public async Task<bool> DeleteAsync(string subdomain, CancellationToken cancellationToken)
    {
        // Every table references tenants with ON DELETE CASCADE: members, sessions, certificates, events go too.
        const string sql = """
            DELETE FROM tenants WHERE subdomain = @subdomain RETURNING id
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var deleted = await connection.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition(sql, new { subdomain }, cancellationToken: cancellationToken));
        if (deleted is { } id)
        {
            changes.ChangedHere(id);
        }

        return deleted is not null;
    }

    public async Task<bool> SaveSsoAsync(Guid tenantId, TenantPolicy policy, string idpEntityId, string ssoTargetUrl,
        IReadOnlyList<IdpCertificate> certificates, DateTimeOffset now, CancellationToken cancellationToken)
    {
        const string policySql = """
            UPDATE tenants
            SET jit_enabled = @JitEnabled, default_role = @DefaultRole, allowed_email_domains = @AllowedEmailDomains,
                clock_skew_seconds = @ClockSkewSeconds, allow_sha1 = @AllowSha1, allow_idp_initiated = @AllowIdpInitiated,
                role_mappings = CAST(@RoleMappings AS jsonb), encrypted_assertions = @EncryptedAssertions, updated_at = @now
            WHERE id = @tenantId
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var updated = await connection.ExecuteAsync(new CommandDefinition(policySql, new
        {
            tenantId,
            policy.JitEnabled,
            policy.DefaultRole,
            AllowedEmailDomains = policy.AllowedEmailDomains.ToArray(),
            policy.ClockSkewSeconds,
            policy.AllowSha1,
            policy.AllowIdpInitiated,
            RoleMappings = JsonSerializer.Serialize(policy.RoleMappings),
            EncryptedAssertions = EncryptedAssertionPolicies.Name(policy.EncryptedAssertions),
            now,
        }, transaction, cancellationToken: cancellationToken));
        if (updated != 1)
        {
            return false;
        }

        await ReplaceIdpAsync(connection, transaction, tenantId, idpEntityId, ssoTargetUrl, certificates, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        changes.ChangedHere(tenantId);
        return true;
    }

    public async Task<bool> SaveIdpAsync(Guid tenantId, string idpEntityId, string ssoTargetUrl,
        IReadOnlyList<IdpCertificate> certificates, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Locks the tenant row so a concurrent delete cannot slip between the check and the writes.
        const string touchSql = """
            UPDATE tenants SET updated_at = @now WHERE id = @tenantId
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await connection.ExecuteAsync(new CommandDefinition(touchSql, new { tenantId, now }, transaction, cancellationToken: cancellationToken)) != 1)
        {
            return false;
        }

        await ReplaceIdpAsync(connection, transaction, tenantId, idpEntityId, ssoTargetUrl, certificates, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        changes.ChangedHere(tenantId);
        return true;
    }

    public async Task<CertificateAddition> AddCertificateAsync(Guid tenantId, IdpCertificate certificate, CancellationToken cancellationToken)
    {
        // The insert selects from idp_configs so that "no SSO yet" and "already trusted" are told apart in one statement.
        const string sql = """
            INSERT INTO idp_certificates (tenant_id, thumbprint_sha256, thumbprint_sha1, der, subject, not_before, not_after, created_at)
            SELECT i.tenant_id, @ThumbprintSha256, @ThumbprintSha1, @Der, @Subject, @NotBefore, @NotAfter, @AddedAt
            FROM idp_configs i
            WHERE i.tenant_id = @tenantId
            ON CONFLICT (tenant_id, thumbprint_sha256) DO NOTHING
            RETURNING 1
            """;
        const string configuredSql = """
            SELECT EXISTS (SELECT 1 FROM idp_configs WHERE tenant_id = @tenantId)
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var inserted = await connection.QuerySingleOrDefaultAsync<int?>(new CommandDefinition(sql, CertificateParameters(tenantId, certificate), cancellationToken: cancellationToken));
        if (inserted is not null)
        {
            changes.ChangedHere(tenantId);
            return CertificateAddition.Added;
        }

        var configured = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(configuredSql, new { tenantId }, cancellationToken: cancellationToken));
        return configured ? CertificateAddition.AlreadyTrusted : CertificateAddition.SsoNotConfigured;
    }

    public async Task<CertificateRemoval> RemoveCertificateAsync(Guid tenantId, string thumbprintSha256, CancellationToken cancellationToken)
    {
        // The IdP row is locked so two concurrent deletions cannot together remove the last two certificates.
        const string lockSql = """
            SELECT tenant_id FROM idp_configs WHERE tenant_id = @tenantId FOR UPDATE
            """;
        const string countSql = """
            SELECT count(*) FILTER (WHERE thumbprint_sha256 = @thumbprintSha256) AS matching, count(*) AS total
            FROM idp_certificates WHERE tenant_id = @tenantId
            """;
        const string deleteSql = """
            DELETE FROM idp_certificates WHERE tenant_id = @tenantId AND thumbprint_sha256 = @thumbprintSha256
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var parameters = new { tenantId, thumbprintSha256 };
        if (await connection.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition(lockSql, parameters, transaction, cancellationToken: cancellationToken)) is null)
        {
            return CertificateRemoval.NotFound;
        }

        var (matching, total) = await connection.QuerySingleAsync<(long Matching, long Total)>(
            new CommandDefinition(countSql, parameters, transaction, cancellationToken: cancellationToken));
        if (matching == 0)
        {
            return CertificateRemoval.NotFound;
        }

        if (total <= 1)
        {
            return CertificateRemoval.LastCertificate;
        }

        await connection.ExecuteAsync(new CommandDefinition(deleteSql, parameters, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        changes.ChangedHere(tenantId);
        return CertificateRemoval.Removed;
    }

    private static async Task ReplaceIdpAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid tenantId, string idpEntityId,
        string ssoTargetUrl, IReadOnlyList<IdpCertificate> certificates, DateTimeOffset now, CancellationToken cancellationToken)
    {
        const string idpSql = """
            INSERT INTO idp_configs (tenant_id, idp_entity_id, sso_target_url, updated_at)
            VALUES (@tenantId, @idpEntityId, @ssoTargetUrl, @now)
            ON CONFLICT (tenant_id) DO UPDATE
            SET idp_entity_id = EXCLUDED.idp_entity_id, sso_target_url = EXCLUDED.sso_target_url, updated_at = EXCLUDED.updated_at
            """;
        const string clearSql = """
            DELETE FROM idp_certificates WHERE tenant_id = @tenantId
            """;
        const string insertSql = """
            INSERT INTO idp_certificates (tenant_id, thumbprint_sha256, thumbprint_sha1, der, subject, not_before, not_after, created_at)
            VALUES (@tenantId, @ThumbprintSha256, @ThumbprintSha1, @Der, @Subject, @NotBefore, @NotAfter, @AddedAt)
            ON CONFLICT (tenant_id, thumbprint_sha256) DO NOTHING
            """;
        await connection.ExecuteAsync(new CommandDefinition(idpSql, new { tenantId, idpEntityId, ssoTargetUrl, now }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(clearSql, new { tenantId }, transaction, cancellationToken: cancellationToken));
        foreach (var certificate in certificates)
        {
            await connection.ExecuteAsync(new CommandDefinition(insertSql, CertificateParameters(tenantId, certificate), transaction, cancellationToken: cancellationToken));
        }
    }

    private static object CertificateParameters(Guid tenantId, IdpCertificate certificate) => new
    {
        tenantId,
        certificate.ThumbprintSha256,
        certificate.ThumbprintSha1,
        certificate.Der,
        certificate.Subject,
        NotBefore = certificate.NotBefore.ToUniversalTime(),
        NotAfter = certificate.NotAfter.ToUniversalTime(),
        AddedAt = certificate.AddedAt.ToUniversalTime(),
    };
}
