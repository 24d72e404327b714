using System.Security.Cryptography;
using System.Text;

namespace Acs.Core.EncryptionKeys;

/// <summary>
/// The operator's key-encryption keys (KEKs): 256-bit AES keys from the service's settings, never from the database.
/// The current one seals every new private key; the others only open keys sealed before a KEK rotation (the service
/// re-seals those under the current one at start-up). A database dump alone therefore holds no usable private key.
/// Sealing is AES-256-GCM with a random nonce; the tenant and key IDs are authenticated with it, so a sealed key
/// copied into another tenant's row, or onto another key's row, does not open.
/// </summary>
public sealed class KeyEncryptionKeyRing
{
    public const int KeyBytes = 32;
    private const byte Version = 1;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    private readonly byte[]? _current;
    private readonly Dictionary<string, byte[]> _byId = new(StringComparer.Ordinal);

    public KeyEncryptionKeyRing(byte[]? current, IEnumerable<byte[]> others)
    {
        ArgumentNullException.ThrowIfNull(others);
        foreach (var key in others.Prepend(current).OfType<byte[]>())
        {
            if (key.Length != KeyBytes)
            {
                throw new ArgumentException($"A key-encryption key is {KeyBytes} bytes.", nameof(others));
            }

            _byId.TryAdd(IdOf(key), key.ToArray());
        }

        _current = current?.ToArray();
        CurrentId = current is null ? null : IdOf(current);
    }

    /// <summary>No KEK configured: nothing can be sealed or opened.</summary>
    public static KeyEncryptionKeyRing None { get; } = new(null, []);

    /// <summary>The ID of the KEK new keys are sealed under; null when none is configured.</summary>
    public string? CurrentId { get; }

    public bool CanSeal => _current is not null;

    public IReadOnlyCollection<string> KnownIds => _byId.Keys;

    /// <summary>A short public name of a KEK (a hash prefix): which key sealed a row, without revealing it.</summary>
    public static string IdOf(ReadOnlySpan<byte> key)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData([.. "acs-kek-id:"u8, .. key], hash);
        return Convert.ToHexStringLower(hash[..8]);
    }

    public SealedPrivateKey Seal(Guid tenantId, Guid keyId, ReadOnlySpan<byte> privateKeyPkcs8)
    {
        var key = _current ?? throw new InvalidOperationException("No key-encryption key is configured.");
        var output = new byte[1 + NonceBytes + privateKeyPkcs8.Length + TagBytes];
        output[0] = Version;
        var nonce = output.AsSpan(1, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var gcm = new AesGcm(key, TagBytes);
        gcm.Encrypt(nonce, privateKeyPkcs8, output.AsSpan(1 + NonceBytes, privateKeyPkcs8.Length), output.AsSpan(output.Length - TagBytes),
            AssociatedData(tenantId, keyId));
        return new SealedPrivateKey(CurrentId!, output);
    }

    /// <summary>The PKCS#8 private key, or null when its KEK is not configured or the sealed bytes do not authenticate.
    /// The caller zeroes the result after use.</summary>
    public byte[]? TryUnseal(Guid tenantId, Guid keyId, SealedPrivateKey sealedKey)
    {
        ArgumentNullException.ThrowIfNull(sealedKey);
        var data = sealedKey.Ciphertext;
        if (!_byId.TryGetValue(sealedKey.KekId, out var key) || data.Length < 1 + NonceBytes + TagBytes || data[0] != Version)
        {
            return null;
        }

        var plaintext = new byte[data.Length - 1 - NonceBytes - TagBytes];
        using var gcm = new AesGcm(key, TagBytes);
        try
        {
            gcm.Decrypt(data.AsSpan(1, NonceBytes), data.AsSpan(1 + NonceBytes, plaintext.Length), data.AsSpan(data.Length - TagBytes), plaintext,
                AssociatedData(tenantId, keyId));
            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    private static byte[] AssociatedData(Guid tenantId, Guid keyId) =>
        Encoding.ASCII.GetBytes($"acs-sp-encryption-key:v1:{tenantId:D}:{keyId:D}");
}
