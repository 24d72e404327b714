using System.Text.Json;
using Acs.Core.Saml.Encryption;
using Acs.Core.Tenants;
using Acs.Data.EncryptionKeys;
using Dapper;
using Npgsql;

namespace Acs.Data.Tenants;

/// <summary>Reads a tenant with its policy, IdP and certificates in one round trip.</summary>
public sealed class TenantDirectory(NpgsqlDataSource dataSource) : ITenantDirectory
{
    private const string FindSql = $"""
        SELECT t.id, t.subdomain, t.display_name, t.jit_enabled, t.default_role, t.allowed_email_domains,
               t.clock_skew_seconds, t.allow_sha1, t.allow_idp_initiated, t.role_mappings::text AS role_mappings,
               t.created_at, t.updated_at, t.config_version, t.encrypted_assertions,
               (SELECT coalesce(json_agg(json_build_object(
                        'id', k.id, 'status', k.status, 'der', encode(k.certificate_der, 'base64'), 'sha256', k.thumbprint_sha256,
                        'notBefore', k.not_before, 'notAfter', k.not_after, 'createdAt', k.created_at,
                        'statusChangedAt', k.status_changed_at, 'kekId', k.kek_id, 'sealed', encode(k.private_key_sealed, 'base64'))
                        ORDER BY k.created_at, k.id), '[]')::text
                FROM sp_encryption_keys k WHERE k.tenant_id = t.id) AS encryption_keys,
               i.idp_entity_id, i.sso_target_url,
               {IdpCertificateColumns.Select}
        FROM tenants t
        LEFT JOIN idp_configs i ON i.tenant_id = t.id
        LEFT JOIN idp_certificates c ON c.tenant_id = t.id
        WHERE t.subdomain = @subdomain
        ORDER BY c.created_at, c.thumbprint_sha256
        """;

    public async Task<Tenant?> FindBySubdomainAsync(string subdomain, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await FindAsync(connection, subdomain, cancellationToken)).Tenant;
    }

    /// <summary>The tenant and the config_version its rows were read at (one statement, so they agree).</summary>
    internal static async Task<(Tenant? Tenant, long ConfigVersion)> FindAsync(NpgsqlConnection connection, string subdomain,
        CancellationToken cancellationToken)
    {
        var rows = (await connection.QueryAsync<TenantRow>(new CommandDefinition(FindSql, new { subdomain }, cancellationToken: cancellationToken))).ToList();
        return rows.Count == 0 ? (null, 0) : (TenantRow.ToTenant(rows), rows[0].ConfigVersion);
    }

    /// <summary>One row of the tenant join; several rows when the tenant trusts several certificates.</summary>
    internal sealed class TenantRow : IdpCertificateColumns
    {
        public Guid Id { get; init; }
        public string Subdomain { get; init; } = "";
        public string DisplayName { get; init; } = "";
        public bool JitEnabled { get; init; }
        public string DefaultRole { get; init; } = "";
        public string[] AllowedEmailDomains { get; init; } = [];
        public int ClockSkewSeconds { get; init; }
        public bool AllowSha1 { get; init; }
        public bool AllowIdpInitiated { get; init; }
        public string RoleMappings { get; init; } = "{}";
        public DateTime CreatedAt { get; init; }
        public DateTime UpdatedAt { get; init; }
        public long ConfigVersion { get; init; }
        public string EncryptedAssertions { get; init; } = EncryptedAssertionPolicies.Optional;
        public string? EncryptionKeys { get; init; }
        public string? IdpEntityId { get; init; }
        public string? SsoTargetUrl { get; init; }

        public static Tenant ToTenant(IReadOnlyList<TenantRow> rows)
        {
            var first = rows[0];
            var policy = new TenantPolicy(
                first.JitEnabled,
                first.DefaultRole,
                first.AllowedEmailDomains,
                first.ClockSkewSeconds,
                first.AllowSha1,
                first.AllowIdpInitiated,
                JsonSerializer.Deserialize<Dictionary<string, string>>(first.RoleMappings) ?? [])
            {
                EncryptedAssertions = first.EncryptedAssertions == EncryptedAssertionPolicies.Required
                    ? EncryptedAssertionPolicy.Required
                    : EncryptedAssertionPolicy.Optional,
            };
            IdpConfiguration? idp = null;
            if (first.IdpEntityId is not null)
            {
                var certificates = IdpCertificateColumns.CertificatesOf(rows).ToArray();
                idp = new IdpConfiguration(first.IdpEntityId, first.SsoTargetUrl!, certificates);
            }

            return new Tenant(first.Id, first.Subdomain, first.DisplayName, policy, idp, Utc(first.CreatedAt), Utc(first.UpdatedAt))
            {
                EncryptionKeys = EncryptionKeyRows.Parse(first.EncryptionKeys),
            };
        }

        private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
    }
}
