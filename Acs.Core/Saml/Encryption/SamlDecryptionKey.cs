using System.Security.Cryptography;

namespace Acs.Core.Saml.Encryption;

/// <summary>
/// One of the tenant's SP encryption keys, usable for decryption (status active or decrypt-only). The private key is
/// only ever used to unwrap content keys; the platform RSA implementation allows that concurrently. A null
/// <see cref="PrivateKey"/> is a key whose sealed private key could not be opened (its key-encryption key is not
/// configured): it decrypts nothing, and the login event says so.
/// </summary>
public sealed class SamlDecryptionKey(Guid id, byte[] certificateDer, string thumbprintSha256, RSA? privateKey)
{
    public Guid Id { get; } = id;

    public byte[] CertificateDer { get; } = certificateDer;

    public string ThumbprintSha256 { get; } = thumbprintSha256;

    public RSA? PrivateKey { get; } = privateKey;
}
