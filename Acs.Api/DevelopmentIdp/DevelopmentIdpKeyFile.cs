using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Acs.Api.DevelopmentIdp;

/// <summary>The development IdP's signing key and certificate: made on first use, then kept in a PEM file.</summary>
public static class DevelopmentIdpKeyFile
{
    public static (RSA Key, X509Certificate2 Certificate) LoadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            var pem = File.ReadAllText(path);
            var key = RSA.Create();
            key.ImportFromPem(pem);
            return (key, X509Certificate2.CreateFromPem(pem));
        }

        var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=AcsService Development IdP", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(3));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, certificate.ExportCertificatePem() + "\n" + rsa.ExportPkcs8PrivateKeyPem() + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return (rsa, X509CertificateLoader.LoadCertificate(certificate.RawData));
    }
}
