namespace Acs.Core.EncryptionKeys;

/// <summary>
/// A tenant's SP encryption key (Entra "Token encryption"): a key pair the service generated, its self-signed
/// certificate and its private key sealed under the operator's key-encryption key. Only the certificate ever leaves
/// the service.
/// </summary>
/// <param name="Status"><see cref="SpEncryptionKeyStatuses.Active"/> (published in SP metadata, decrypts) or
/// <see cref="SpEncryptionKeyStatuses.DecryptOnly"/> (unpublished, still decrypts while the IdP may use it).</param>
public sealed record SpEncryptionKey(
    Guid Id,
    string Status,
    byte[] CertificateDer,
    string ThumbprintSha256,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    DateTimeOffset CreatedAt,
    DateTimeOffset StatusChangedAt,
    SealedPrivateKey PrivateKey)
{
    public bool IsPublished => Status == SpEncryptionKeyStatuses.Active;
}

/// <summary>A private key (PKCS#8) encrypted with AES-256-GCM under the key-encryption key <see cref="KekId"/> names.</summary>
public sealed record SealedPrivateKey(string KekId, byte[] Ciphertext);

/// <summary>Key states. A removed key is deleted: nothing of it remains.</summary>
public static class SpEncryptionKeyStatuses
{
    public const string Active = "active";
    public const string DecryptOnly = "decrypt-only";

    public static bool IsKnown(string? status) => status is Active or DecryptOnly;
}
