using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Acs.Core.Certificates;

/// <summary>
/// An IdP signing certificate the tenant trusts. Only its public key is used, to verify signatures;
/// no chain building and no revocation (the IdP certificate is pinned). Expiry is shown, not enforced.
/// </summary>
public sealed record TrustedCertificate(
    byte[] Der,
    string ThumbprintSha256,
    string ThumbprintSha1,
    string Subject,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter)
{
    // Parsing a key costs far more than an RSA verify, so it is done once per certificate.
    // The holder compares equal to any other holder, so the cache never affects record equality.
    private readonly PublicKeyCache _keyCache = new();

    // A `with` copy may change Der, so it must not inherit the cached key.
    private TrustedCertificate(TrustedCertificate original)
    {
        Der = original.Der;
        ThumbprintSha256 = original.ThumbprintSha256;
        ThumbprintSha1 = original.ThumbprintSha1;
        Subject = original.Subject;
        NotBefore = original.NotBefore;
        NotAfter = original.NotAfter;
        _keyCache = new PublicKeyCache();
    }

    /// <summary>Reads a DER certificate. Throws <see cref="CryptographicException"/> when it is not one
    /// or its key is neither RSA nor ECDSA; <see cref="CertificateParser"/> is the non-throwing front door.</summary>
    public static TrustedCertificate FromDer(byte[] der)
    {
        ArgumentNullException.ThrowIfNull(der);
        using var certificate = X509CertificateLoader.LoadCertificate(der);
        var key = LoadPublicKey(certificate)
            ?? throw new CryptographicException("The certificate's key is neither RSA nor ECDSA.");
        var copy = der.ToArray();
        var result = new TrustedCertificate(
            copy,
            Convert.ToHexStringLower(SHA256.HashData(copy)),
            Convert.ToHexString(SHA1.HashData(copy)),
            certificate.Subject,
            new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero),
            new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero));
        result._keyCache.Set(key);
        return result;
    }

    /// <summary>The certificate's public key (RSA or ECDsa), parsed once and shared. It is only ever used
    /// to verify, which the platform implementations allow concurrently.</summary>
    public AsymmetricAlgorithm PublicKey => _keyCache.Get(Der);

    /// <summary>True when <paramref name="der"/> is this certificate (compared by SHA-256 thumbprint).</summary>
    public bool Matches(ReadOnlySpan<byte> der)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(der, hash);
        return string.Equals(Convert.ToHexStringLower(hash), ThumbprintSha256, StringComparison.OrdinalIgnoreCase);
    }

    internal static AsymmetricAlgorithm? LoadPublicKey(X509Certificate2 certificate) =>
        (AsymmetricAlgorithm?)certificate.GetRSAPublicKey() ?? certificate.GetECDsaPublicKey();

    private sealed class PublicKeyCache
    {
        private AsymmetricAlgorithm? _key;

        public void Set(AsymmetricAlgorithm key) => _key = key;

        public AsymmetricAlgorithm Get(byte[] der)
        {
            if (_key is { } key)
            {
                return key;
            }

            using var certificate = X509CertificateLoader.LoadCertificate(der);
            var loaded = LoadPublicKey(certificate)
                ?? throw new CryptographicException("The certificate's key is neither RSA nor ECDSA.");
            // A race loads the key twice; the loser's copy is dropped.
            return Interlocked.CompareExchange(ref _key, loaded, null) ?? loaded;
        }

        public override bool Equals(object? obj) => obj is PublicKeyCache;

        public override int GetHashCode() => 0;
    }
}
