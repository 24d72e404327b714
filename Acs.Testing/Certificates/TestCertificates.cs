using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Acs.Testing.Certificates;

/// <summary>Self-signed RSA-2048 certificates with chosen validity; one key serves all, which keeps the tests fast.</summary>
public static class TestCertificates
{
    private static readonly Lazy<RSA> Key = new(() => RSA.Create(2048));

    public static X509Certificate2 Create(string commonName, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var request = new CertificateRequest($"CN={commonName}", Key.Value, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var withKey = request.CreateSelfSigned(notBefore, notAfter);
        return X509CertificateLoader.LoadCertificate(withKey.RawData);
    }

    /// <summary>Valid for years around the factory's fake clock.</summary>
    public static X509Certificate2 CreateValid(string commonName = "Microsoft Azure Federated SSO Certificate") =>
        Create(commonName, new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2029, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public static string Sha256(X509Certificate2 certificate) => Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));

    public static string Sha1(X509Certificate2 certificate) => Convert.ToHexString(SHA1.HashData(certificate.RawData));

    /// <summary>Entra's "Certificate (Base64)" download: PEM with CRLF line ends.</summary>
    public static string EntraBase64Download(X509Certificate2 certificate) => certificate.ExportCertificatePem().Replace("\n", "\r\n", StringComparison.Ordinal);
}
