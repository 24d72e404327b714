using Acs.Core.EncryptionKeys;
using Acs.Data.Tenants;
using Dapper;
using Npgsql;

namespace Acs.Data.EncryptionKeys;

/// <summary>Writes SP encryption keys. The private key arrives sealed and is stored as it came.</summary>
/// <remarks>Keys are part of the tenant's cached configuration: changes are reported to <see cref="TenantChangeFeed.ChangedHere"/>.</remarks>
public sealed class EncryptionKeyStore(NpgsqlDataSource dataSource, TenantChangeFeed changes) : IEncryptionKeyStore
{
    public async Task<EncryptionKeyAddition> AddAsync(Guid tenantId, SpEncryptionKey key, int maxKeys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        // The tenant row is locked so two concurrent additions cannot both pass the count.
        const string lockSql = """
            SELECT id FROM tenants WHERE id = @tenantId FOR UPDATE
            """;
        const string countSql = """
            SELECT count(*) FROM sp_encryption_keys WHERE tenant_id = @tenantId
            """;
        const string insertSql = """
            INSERT INTO sp_encryption_keys (tenant_id, id, status, certificate_der, thumbprint_sha256, not_before, not_after, kek_id,
                                            private_key_sealed, created_at, status_changed_at)
            VALUES (@tenantId, @Id, @Status, @CertificateDer, @ThumbprintSha256, @NotBefore, @NotAfter, @KekId, @Sealed, @CreatedAt, @StatusChangedAt)
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await connection.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition(lockSql, new { tenantId }, transaction, cancellationToken: cancellationToken)) is null)
        {
            return EncryptionKeyAddition.TenantNotFound;
        }

        if (await connection.ExecuteScalarAsync<long>(new CommandDefinition(countSql, new { tenantId }, transaction, cancellationToken: cancellationToken)) >= maxKeys)
        {
            return EncryptionKeyAddition.TooManyKeys;
        }

        await connection.ExecuteAsync(new CommandDefinition(insertSql, new
        {
            tenantId,
            key.Id,
            key.Status,
            key.CertificateDer,
            key.ThumbprintSha256,
            NotBefore = key.NotBefore.ToUniversalTime(),
            NotAfter = key.NotAfter.ToUniversalTime(),
            key.PrivateKey.KekId,
            Sealed = key.PrivateKey.Ciphertext,
            CreatedAt = key.CreatedAt.ToUniversalTime(),
            StatusChangedAt = key.StatusChangedAt.ToUniversalTime(),
        }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        changes.ChangedHere(tenantId);
        return EncryptionKeyAddition.Added;
    }

    public async Task<bool> SetStatusAsync(Guid tenantId, Guid keyId, string status, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Setting the status it already has changes nothing, so it does not bump the tenant's configuration either.
        const string sql = """
            WITH target AS (SELECT id, status FROM sp_encryption_keys WHERE tenant_id = @tenantId AND id = @keyId),
                 changed AS (
                     UPDATE sp_encryption_keys k SET status = @status, status_changed_at = @now
                     FROM target WHERE k.tenant_id = @tenantId AND k.id = target.id AND target.status <> @status
                 )
            SELECT count(*) FROM target
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var found = await connection.ExecuteScalarAsync<long>(new CommandDefinition(sql, new { tenantId, keyId, status, now = now.ToUniversalTime() },
            cancellationToken: cancellationToken)) == 1;
        changes.ChangedHere(tenantId);
        return found;
    }

    public async Task<EncryptionKeyRemoval> RemoveAsync(Guid tenantId, Guid keyId, CancellationToken cancellationToken)
    {
        // The tenant row is locked: a concurrent removal or policy change cannot slip between the check and the delete.
        const string lockSql = """
            SELECT encrypted_assertions FROM tenants WHERE id = @tenantId FOR UPDATE
            """;
        const string countSql = """
            SELECT count(*) FILTER (WHERE id = @keyId) AS matching, count(*) AS total
            FROM sp_encryption_keys WHERE tenant_id = @tenantId
            """;
        const string deleteSql = """
            DELETE FROM sp_encryption_keys WHERE tenant_id = @tenantId AND id = @keyId
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var parameters = new { tenantId, keyId };
        var policy = await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(lockSql, parameters, transaction, cancellationToken: cancellationToken));
        if (policy is null)
        {
            return EncryptionKeyRemoval.NotFound;
        }

        var (matching, total) = await connection.QuerySingleAsync<(long Matching, long Total)>(
            new CommandDefinition(countSql, parameters, transaction, cancellationToken: cancellationToken));
        if (matching == 0)
        {
            return EncryptionKeyRemoval.NotFound;
        }

        if (total <= 1 && policy == "required")
        {
            return EncryptionKeyRemoval.LastKeyWhileRequired;
        }

        await connection.ExecuteAsync(new CommandDefinition(deleteSql, parameters, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        changes.ChangedHere(tenantId);
        return EncryptionKeyRemoval.Removed;
    }

    public async Task<IReadOnlyList<SealedKeyRecord>> ListSealedUnderOtherKeksAsync(string currentKekId, CancellationToken cancellationToken)
    {
        // Maintenance across tenants, like the purger: only run after a key-encryption key rotation.
        const string sql = """
            SELECT tenant_id, id, kek_id, private_key_sealed FROM sp_encryption_keys WHERE kek_id <> @currentKekId ORDER BY tenant_id, id
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(Guid TenantId, Guid Id, string KekId, byte[] Sealed)>(
            new CommandDefinition(sql, new { currentKekId }, cancellationToken: cancellationToken));
        return rows.Select(r => new SealedKeyRecord(r.TenantId, r.Id, new SealedPrivateKey(r.KekId, r.Sealed))).ToList();
    }

    public async Task<bool> ResealAsync(Guid tenantId, Guid keyId, SealedPrivateKey expected, SealedPrivateKey replacement, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(replacement);
        const string sql = """
            UPDATE sp_encryption_keys SET kek_id = @newKekId, private_key_sealed = @newSealed
            WHERE tenant_id = @tenantId AND id = @keyId AND kek_id = @oldKekId AND private_key_sealed = @oldSealed
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var resealed = await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            tenantId,
            keyId,
            newKekId = replacement.KekId,
            newSealed = replacement.Ciphertext,
            oldKekId = expected.KekId,
            oldSealed = expected.Ciphertext,
        }, cancellationToken: cancellationToken)) == 1;
        changes.ChangedHere(tenantId);
        return resealed;
    }
}
