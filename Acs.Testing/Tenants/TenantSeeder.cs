using Acs.Core.Certificates;
using Acs.Testing.TestIdp;
using Dapper;
using Npgsql;

namespace Acs.Testing.Tenants;

/// <summary>A tenant row as a test wants it; defaults are those of a tenant the admin API has just created.</summary>
public sealed record SeedTenant(string Subdomain)
{
    public Guid Id { get; init; } = Guid.NewGuid();

    /// <summary>Null: the subdomain.</summary>
    public string? DisplayName { get; init; }

    public bool JitEnabled { get; init; } = true;

    public string DefaultRole { get; init; } = "team_member";

    public string[] AllowedEmailDomains { get; init; } = [];

    public string RoleMappingsJson { get; init; } = "{}";

    public int ClockSkewSeconds { get; init; } = 180;

    public bool AllowSha1 { get; init; }

    /// <summary>Null: no SSO configured (no <c>idp_configs</c> row).</summary>
    public string? IdpEntityId { get; init; }

    public string SsoTargetUrl { get; init; } = "https://login.microsoftonline.com/" + TestResponseBuilder.EntraTenantId + "/saml2";

    /// <summary>Certificates the tenant's SSO trusts; written only with an IdP entity ID.</summary>
    public IReadOnlyList<TrustedCertificate> Certificates { get; init; } = [];

    /// <summary>SSO that trusts the test IdP's certificate (or <paramref name="keys"/>).</summary>
    public SeedTenant WithTestIdp(TestIdpKeys? keys = null) =>
        this with { IdpEntityId = TestResponseBuilder.IdpEntityId, Certificates = [(keys ?? TestIdpKeys.Default).Trusted] };
}

/// <summary>Writes tenants straight to the database for tests that need one without going through the admin API.</summary>
public static class TenantSeeder
{
    private const string InsertTenantSql = """
        INSERT INTO tenants (id, subdomain, display_name, jit_enabled, default_role, allowed_email_domains, clock_skew_seconds,
                             allow_sha1, role_mappings, created_at, updated_at)
        VALUES (@Id, @Subdomain, @DisplayName, @JitEnabled, @DefaultRole, @AllowedEmailDomains, @ClockSkewSeconds,
                @AllowSha1, @RoleMappingsJson::jsonb, now(), now())
        """;

    private const string InsertIdpSql = """
        INSERT INTO idp_configs (tenant_id, idp_entity_id, sso_target_url, updated_at)
        VALUES (@Id, @IdpEntityId, @SsoTargetUrl, now())
        """;

    private const string InsertCertificateSql = """
        INSERT INTO idp_certificates (tenant_id, thumbprint_sha256, thumbprint_sha1, der, subject, not_before, not_after, created_at)
        VALUES (@Id, @ThumbprintSha256, @ThumbprintSha1, @Der, @Subject, @NotBefore, @NotAfter, now())
        """;

    public static async Task<Guid> InsertAsync(NpgsqlDataSource db, SeedTenant tenant)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await InsertAsync(connection, tenant);
    }

    public static async Task<Guid> InsertAsync(string connectionString, SeedTenant tenant)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return await InsertAsync(connection, tenant);
    }

    public static async Task<Guid> InsertAsync(NpgsqlConnection connection, SeedTenant tenant)
    {
        await connection.ExecuteAsync(InsertTenantSql, new
        {
            tenant.Id,
            tenant.Subdomain,
            DisplayName = tenant.DisplayName ?? tenant.Subdomain,
            tenant.JitEnabled,
            tenant.DefaultRole,
            tenant.AllowedEmailDomains,
            tenant.ClockSkewSeconds,
            tenant.AllowSha1,
            tenant.RoleMappingsJson,
        });
        if (tenant.IdpEntityId is not null)
        {
            await connection.ExecuteAsync(InsertIdpSql, new { tenant.Id, tenant.IdpEntityId, tenant.SsoTargetUrl });
            foreach (var certificate in tenant.Certificates)
            {
                await connection.ExecuteAsync(InsertCertificateSql, new
                {
                    tenant.Id,
                    certificate.ThumbprintSha256,
                    certificate.ThumbprintSha1,
                    certificate.Der,
                    certificate.Subject,
                    certificate.NotBefore,
                    certificate.NotAfter,
                });
            }
        }

        return tenant.Id;
    }
}
