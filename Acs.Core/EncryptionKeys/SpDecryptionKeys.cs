using System.Collections.Concurrent;
using System.Security.Cryptography;
using Acs.Core.Saml.Encryption;
using Acs.Core.Tenants;

namespace Acs.Core.EncryptionKeys;

/// <summary>
/// The login path's view of a tenant's SP encryption keys: each key's private key unsealed once and kept in memory
/// (a sealed key never changes under its ID, except by a KEK rotation, which changes its bytes and so the entry).
/// Bounded, so a long-running process cannot grow without limit.
/// </summary>
public sealed class SpDecryptionKeys(KeyEncryptionKeyRing ring)
{
    private const int MaxEntries = 10_000;
    private readonly ConcurrentDictionary<Guid, Entry> _entries = new();

    /// <summary>Every stored key of the tenant (active and decrypt-only both decrypt); a key whose private key cannot be
    /// unsealed is returned without one, so the login event can say why nothing decrypted.</summary>
    public IReadOnlyList<SamlDecryptionKey> For(Tenant tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        if (tenant.EncryptionKeys.Count == 0)
        {
            return [];
        }

        var result = new SamlDecryptionKey[tenant.EncryptionKeys.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var stored = tenant.EncryptionKeys[i];
            if (!_entries.TryGetValue(stored.Id, out var entry) || entry.TenantId != tenant.Id
                || !entry.Sealed.AsSpan().SequenceEqual(stored.PrivateKey.Ciphertext))
            {
                entry = new Entry(tenant.Id, stored.PrivateKey.Ciphertext, Open(tenant.Id, stored));
                if (_entries.Count >= MaxEntries)
                {
                    _entries.Clear();
                }

                _entries[stored.Id] = entry;
            }

            result[i] = entry.Key;
        }

        return result;
    }

    private SamlDecryptionKey Open(Guid tenantId, SpEncryptionKey stored)
    {
        RSA? rsa = null;
        var pkcs8 = ring.TryUnseal(tenantId, stored.Id, stored.PrivateKey);
        if (pkcs8 is not null)
        {
            try
            {
                rsa = RSA.Create();
                rsa.ImportPkcs8PrivateKey(pkcs8, out _);
            }
            catch (CryptographicException)
            {
                rsa?.Dispose();
                rsa = null;
            }
            finally
            {
                CryptographicOperations.ZeroMemory(pkcs8);
            }
        }

        return new SamlDecryptionKey(stored.Id, stored.CertificateDer, stored.ThumbprintSha256, rsa);
    }

    private sealed record Entry(Guid TenantId, byte[] Sealed, SamlDecryptionKey Key);
}
