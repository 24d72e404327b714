namespace Acs.Core.EncryptionKeys;

public enum EncryptionKeyAddition
{
    Added,
    TenantNotFound,
    TooManyKeys,
}

public enum EncryptionKeyRemoval
{
    Removed,
    NotFound,

    /// <summary>The tenant requires encrypted assertions and this is its last key: removing it would stop every sign-in.</summary>
    LastKeyWhileRequired,
}

/// <summary>One stored sealed private key, for re-sealing under a new key-encryption key.</summary>
public sealed record SealedKeyRecord(Guid TenantId, Guid KeyId, SealedPrivateKey PrivateKey);

/// <summary>Stores SP encryption keys. Reads for the login path and the admin API come with the tenant
/// (<see cref="Tenants.Tenant.EncryptionKeys"/>), so a change is seen wherever the tenant's configuration is.</summary>
public interface IEncryptionKeyStore
{
    /// <summary>Adds the key unless the tenant already has <paramref name="maxKeys"/> keys.</summary>
    Task<EncryptionKeyAddition> AddAsync(Guid tenantId, SpEncryptionKey key, int maxKeys, CancellationToken cancellationToken);

    /// <summary>False when the tenant has no such key.</summary>
    Task<bool> SetStatusAsync(Guid tenantId, Guid keyId, string status, DateTimeOffset now, CancellationToken cancellationToken);

    Task<EncryptionKeyRemoval> RemoveAsync(Guid tenantId, Guid keyId, CancellationToken cancellationToken);

    /// <summary>Keys of every tenant sealed under another KEK than <paramref name="currentKekId"/> (a maintenance read).</summary>
    Task<IReadOnlyList<SealedKeyRecord>> ListSealedUnderOtherKeksAsync(string currentKekId, CancellationToken cancellationToken);

    /// <summary>Replaces the sealed key, only if it is still <paramref name="expected"/> (another replica may have done it).</summary>
    Task<bool> ResealAsync(Guid tenantId, Guid keyId, SealedPrivateKey expected, SealedPrivateKey replacement, CancellationToken cancellationToken);
}
