using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Acs.Core.Certificates;

namespace Acs.Testing.TestIdp;

/// <summary>A signing key and its self-signed certificate, made in-process. Key generation is slow, so the
/// shared instances are made once per test run.</summary>
public sealed class TestIdpKeys
{
    private static readonly Lazy<TestIdpKeys> LazyDefault = new(() => CreateRsa("Microsoft Azure Federated SSO Certificate"));
    private static readonly Lazy<TestIdpKeys> LazyAttacker = new(() => CreateRsa("Attacker IdP"));
    private static readonly Lazy<TestIdpKeys> LazyEcdsa = new(() => CreateEcdsa("ECDSA IdP"));

    private TestIdpKeys(AsymmetricAlgorithm key, X509Certificate2 certificate)
    {
        Key = key;
        Certificate = certificate;
        Trusted = TrustedCertificate.FromDer(certificate.RawData);
    }

    /// <summary>The IdP the tests' SP trusts.</summary>
    public static TestIdpKeys Default => LazyDefault.Value;

    /// <summary>Another IdP nobody configured.</summary>
    public static TestIdpKeys Attacker => LazyAttacker.Value;

    public static TestIdpKeys Ecdsa => LazyEcdsa.Value;

    public AsymmetricAlgorithm Key { get; }

    public X509Certificate2 Certificate { get; }

    public TrustedCertificate Trusted { get; }

    public static TestIdpKeys CreateRsa(string commonName, int keySize = 2048)
    {
        var rsa = RSA.Create(keySize);
        var request = new CertificateRequest($"CN={commonName}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(3));
        return new TestIdpKeys(rsa, X509CertificateLoader.LoadCertificate(certificate.RawData));
    }

    public static TestIdpKeys CreateEcdsa(string commonName)
    {
        var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", ecdsa, HashAlgorithmName.SHA256);
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(3));
        return new TestIdpKeys(ecdsa, X509CertificateLoader.LoadCertificate(certificate.RawData));
    }
}
