using Acs.Core.Audit;
using Acs.Core.Rollover;
using Acs.Core.Tenants;
using Acs.Data.Audit;
using Acs.Data.Tenants;
using Dapper;
using Npgsql;

namespace Acs.Data.Rollover;

/// <summary>Metadata sources, their refresh state, and the certificate writes of a refresh.</summary>
/// <remarks>Writes to the trusted configuration are reported to <see cref="TenantChangeFeed.ChangedHere"/> (read your writes).</remarks>
public sealed class RolloverStore(NpgsqlDataSource dataSource, TenantChangeFeed changes) : IRolloverStore
{
    /// <summary>The advisory lock key of the refresh lease ("AcsMetaR" as a big-endian 64-bit integer).</summary>
    public const long LeaseKey = 0x4163734D65746152;

    private const string SourceColumns = """
        s.tenant_id, s.metadata_url, s.next_refresh_at, s.last_attempt_at, s.last_success_at, s.last_error_code, s.last_error_message,
        s.pending_idp_entity_id, s.pending_sso_target_url, s.pending_detected_at, s.pending_dismissed
        """;

    public async Task<IAsyncDisposable?> TryAcquireLeaseAsync(CancellationToken cancellationToken)
    {
        // A session-level lock on a connection kept for the round; if the process dies the connection closes and the lock goes with it.
        const string sql = """
            SELECT pg_try_advisory_lock(@key)
            """;
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition(sql, new { key = LeaseKey }, cancellationToken: cancellationToken)))
            {
                return new Lease(connection);
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        await connection.DisposeAsync();
        return null;
    }

    public async Task<IReadOnlyList<DueMetadataSource>> ListDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT s.tenant_id, t.subdomain, s.metadata_url
            FROM idp_metadata_sources s
            JOIN tenants t ON t.id = s.tenant_id
            WHERE s.next_refresh_at <= @now
            ORDER BY s.next_refresh_at, s.tenant_id
            LIMIT @limit
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(Guid TenantId, string Subdomain, string MetadataUrl)>(
            new CommandDefinition(sql, new { now, limit }, cancellationToken: cancellationToken));
        return rows.Select(r => new DueMetadataSource(r.TenantId, r.Subdomain, r.MetadataUrl)).ToList();
    }

    public async Task<MetadataSourceState?> FindSourceAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT {SourceColumns} FROM idp_metadata_sources s WHERE s.tenant_id = @tenantId
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<SourceRow>(new CommandDefinition(sql, new { tenantId }, cancellationToken: cancellationToken));
        return row?.ToState();
    }

    public async Task<(TrustedIdp? Idp, long ConfigVersion)> ReadTrustedAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT t.config_version, i.idp_entity_id, i.sso_target_url,
                   s.pending_idp_entity_id, s.pending_sso_target_url, s.pending_detected_at, s.pending_dismissed,
                   {IdpCertificateColumns.Select}
            FROM tenants t
            JOIN idp_configs i ON i.tenant_id = t.id
            LEFT JOIN idp_metadata_sources s ON s.tenant_id = t.id
            LEFT JOIN idp_certificates c ON c.tenant_id = t.id
            WHERE t.id = @tenantId
            ORDER BY c.created_at, c.thumbprint_sha256
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<TrustedRow>(new CommandDefinition(sql, new { tenantId }, cancellationToken: cancellationToken))).ToList();
        if (rows.Count == 0)
        {
            return (null, 0);
        }

        var first = rows[0];
        var certificates = IdpCertificateColumns.CertificatesOf(rows);
        var pending = first.PendingIdpEntityId is null
            ? null
            : new PendingIdpChange(first.PendingIdpEntityId, first.PendingSsoTargetUrl!, Utc(first.PendingDetectedAt!.Value), first.PendingDismissed);
        return (new TrustedIdp(first.IdpEntityId, first.SsoTargetUrl, certificates, pending), first.ConfigVersion);
    }

    public async Task<bool> ApplyRefreshAsync(Guid tenantId, long expectedConfigVersion, RolloverPlan plan, RefreshTimes times,
        IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken)
    {
        // The tenant row is locked and its version compared: a change made while the metadata was fetched is not overwritten.
        const string lockSql = """
            SELECT config_version FROM tenants WHERE id = @tenantId FOR UPDATE
            """;
        const string insertSql = """
            INSERT INTO idp_certificates (tenant_id, thumbprint_sha256, thumbprint_sha1, der, subject, not_before, not_after, created_at)
            VALUES (@tenantId, @ThumbprintSha256, @ThumbprintSha1, @Der, @Subject, @NotBefore, @NotAfter, @at)
            ON CONFLICT (tenant_id, thumbprint_sha256) DO NOTHING
            """;
        const string markSql = """
            UPDATE idp_certificates SET left_metadata_at = @at
            WHERE tenant_id = @tenantId AND thumbprint_sha256 = ANY(@thumbprints) AND left_metadata_at IS NULL
            """;
        const string unmarkSql = """
            UPDATE idp_certificates SET left_metadata_at = NULL
            WHERE tenant_id = @tenantId AND thumbprint_sha256 = ANY(@thumbprints)
            """;
        const string removeSql = """
            DELETE FROM idp_certificates WHERE tenant_id = @tenantId AND thumbprint_sha256 = ANY(@thumbprints)
            """;
        const string sourceSql = """
            UPDATE idp_metadata_sources
            SET last_attempt_at = @at, last_success_at = @at, last_error_code = NULL, last_error_message = NULL, next_refresh_at = @next,
                pending_idp_entity_id = @pendingEntityId, pending_sso_target_url = @pendingSsoTargetUrl,
                pending_detected_at = @pendingDetectedAt, pending_dismissed = @pendingDismissed
            WHERE tenant_id = @tenantId
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var version = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(lockSql, new { tenantId }, transaction, cancellationToken: cancellationToken));
        if (version != expectedConfigVersion)
        {
            return false;
        }

        var at = times.At.ToUniversalTime();
        foreach (var c in plan.Add)
        {
            await connection.ExecuteAsync(new CommandDefinition(insertSql, new
            {
                tenantId,
                c.ThumbprintSha256,
                c.ThumbprintSha1,
                c.Der,
                c.Subject,
                NotBefore = c.NotBefore.ToUniversalTime(),
                NotAfter = c.NotAfter.ToUniversalTime(),
                at,
            }, transaction, cancellationToken: cancellationToken));
        }

        await ExecuteForAsync(connection, transaction, markSql, tenantId, plan.MarkLeft, at, cancellationToken);
        await ExecuteForAsync(connection, transaction, unmarkSql, tenantId, plan.Unmark, at, cancellationToken);
        await ExecuteForAsync(connection, transaction, removeSql, tenantId, plan.Remove, at, cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(sourceSql, new
        {
            tenantId,
            at,
            next = times.NextRefreshAt.ToUniversalTime(),
            pendingEntityId = plan.Pending?.IdpEntityId,
            pendingSsoTargetUrl = plan.Pending?.SsoTargetUrl,
            pendingDetectedAt = plan.Pending?.DetectedAt.ToUniversalTime(),
            pendingDismissed = plan.Pending?.Dismissed ?? false,
        }, transaction, cancellationToken: cancellationToken));
        await AuditEventStore.AppendAsync(connection, transaction, events, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        changes.ChangedHere(tenantId);
        return true;
    }

    public async Task RecordFailureAsync(Guid tenantId, DateTimeOffset at, string code, string message, DateTimeOffset nextRefreshAt,
        CancellationToken cancellationToken)
    {
        const string sql = """
            UPDATE idp_metadata_sources
            SET last_attempt_at = @at, last_error_code = @code, last_error_message = @message, next_refresh_at = @next
            WHERE tenant_id = @tenantId
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            tenantId,
            at = at.ToUniversalTime(),
            code,
            message = PostgresText.Storable(message),
            next = nextRefreshAt.ToUniversalTime(),
        }, cancellationToken: cancellationToken));
    }

    public async Task SaveSourceAsync(Guid tenantId, string metadataUrl, RefreshTimes times, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO idp_metadata_sources (tenant_id, metadata_url, next_refresh_at, last_attempt_at, last_success_at, created_at)
            VALUES (@tenantId, @metadataUrl, @next, @at, @at, @at)
            ON CONFLICT (tenant_id) DO UPDATE
            SET metadata_url = EXCLUDED.metadata_url, next_refresh_at = EXCLUDED.next_refresh_at, last_attempt_at = EXCLUDED.last_attempt_at,
                last_success_at = EXCLUDED.last_success_at, last_error_code = NULL, last_error_message = NULL,
                pending_idp_entity_id = NULL, pending_sso_target_url = NULL, pending_detected_at = NULL, pending_dismissed = false
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            tenantId,
            metadataUrl,
            at = times.At.ToUniversalTime(),
            next = times.NextRefreshAt.ToUniversalTime(),
        }, cancellationToken: cancellationToken));
    }

    public async Task<bool> RemoveSourceAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        const string sql = """
            DELETE FROM idp_metadata_sources WHERE tenant_id = @tenantId
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(sql, new { tenantId }, cancellationToken: cancellationToken)) == 1;
    }

    public async Task<bool> ApplyPendingAsync(Guid tenantId, PendingIdpChange expected, DateTimeOffset now, IReadOnlyList<AuditEvent> events,
        CancellationToken cancellationToken)
    {
        const string clearSql = """
            UPDATE idp_metadata_sources
            SET pending_idp_entity_id = NULL, pending_sso_target_url = NULL, pending_detected_at = NULL, pending_dismissed = false,
                next_refresh_at = @now
            WHERE tenant_id = @tenantId AND pending_idp_entity_id = @IdpEntityId AND pending_sso_target_url = @SsoTargetUrl
                AND NOT pending_dismissed
            """;
        const string idpSql = """
            UPDATE idp_configs SET idp_entity_id = @IdpEntityId, sso_target_url = @SsoTargetUrl, updated_at = @now WHERE tenant_id = @tenantId
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var parameters = new { tenantId, expected.IdpEntityId, expected.SsoTargetUrl, now = now.ToUniversalTime() };
        if (await connection.ExecuteAsync(new CommandDefinition(clearSql, parameters, transaction, cancellationToken: cancellationToken)) != 1
            || await connection.ExecuteAsync(new CommandDefinition(idpSql, parameters, transaction, cancellationToken: cancellationToken)) != 1)
        {
            return false;
        }

        await AuditEventStore.AppendAsync(connection, transaction, events, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        changes.ChangedHere(tenantId);
        return true;
    }

    public async Task<bool> DismissPendingAsync(Guid tenantId, PendingIdpChange expected, IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken)
    {
        const string sql = """
            UPDATE idp_metadata_sources SET pending_dismissed = true
            WHERE tenant_id = @tenantId AND pending_idp_entity_id = @IdpEntityId AND pending_sso_target_url = @SsoTargetUrl
                AND NOT pending_dismissed
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await connection.ExecuteAsync(new CommandDefinition(sql, new { tenantId, expected.IdpEntityId, expected.SsoTargetUrl }, transaction,
            cancellationToken: cancellationToken)) != 1)
        {
            return false;
        }

        await AuditEventStore.AppendAsync(connection, transaction, events, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        changes.ChangedHere(tenantId);
        return true;
    }

    private static async Task ExecuteForAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, Guid tenantId,
        IReadOnlyList<string> thumbprints, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (thumbprints.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(sql, new { tenantId, thumbprints = thumbprints.ToArray(), at }, transaction,
                cancellationToken: cancellationToken));
        }
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    private sealed class Lease(NpgsqlConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            const string sql = """
                SELECT pg_advisory_unlock(@key)
                """;
            try
            {
                await connection.ExecuteScalarAsync<bool>(new CommandDefinition(sql, new { key = LeaseKey }));
            }
            finally
            {
                await connection.DisposeAsync();
            }
        }
    }

    internal sealed class SourceRow
    {
        public Guid TenantId { get; init; }
        public string MetadataUrl { get; init; } = "";
        public DateTime NextRefreshAt { get; init; }
        public DateTime? LastAttemptAt { get; init; }
        public DateTime? LastSuccessAt { get; init; }
        public string? LastErrorCode { get; init; }
        public string? LastErrorMessage { get; init; }
        public string? PendingIdpEntityId { get; init; }
        public string? PendingSsoTargetUrl { get; init; }
        public DateTime? PendingDetectedAt { get; init; }
        public bool PendingDismissed { get; init; }

        public MetadataSourceState ToState() => new(TenantId, MetadataUrl, Utc(NextRefreshAt), LastAttemptAt is { } a ? Utc(a) : null,
            LastSuccessAt is { } s ? Utc(s) : null, LastErrorCode, LastErrorMessage,
            PendingIdpEntityId is null ? null : new PendingIdpChange(PendingIdpEntityId, PendingSsoTargetUrl!, Utc(PendingDetectedAt!.Value), PendingDismissed));
    }

    internal sealed class TrustedRow : IdpCertificateColumns
    {
        public long ConfigVersion { get; init; }
        public string IdpEntityId { get; init; } = "";
        public string SsoTargetUrl { get; init; } = "";
        public string? PendingIdpEntityId { get; init; }
        public string? PendingSsoTargetUrl { get; init; }
        public DateTime? PendingDetectedAt { get; init; }
        public bool PendingDismissed { get; init; }
    }
}
