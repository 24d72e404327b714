using System.Diagnostics.CodeAnalysis;

namespace Acs.Core.Certificates;

public sealed record CertificateParseResult(TrustedCertificate? Certificate, string? ErrorCode, string? Message)
{
    [MemberNotNullWhen(true, nameof(Certificate))]
    public bool IsValid => Certificate is not null;

    public static CertificateParseResult Success(TrustedCertificate certificate) => new(certificate, null, null);

    public static CertificateParseResult Fail(string errorCode, string message) => new(null, errorCode, message);
}

public static class CertificateErrorCodes
{
    public const string CertificateMissing = "certificate_missing";
    public const string CertificateMalformed = "certificate_malformed";
    public const string CertificatePrivateKey = "certificate_private_key";
    public const string CertificateWeakKey = "certificate_weak_key";
    public const string CertificateKeyUnsupported = "certificate_key_unsupported";
}
