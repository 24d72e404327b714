using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Acs.Core.Certificates;

/// <summary>
/// Turns what an administrator pastes or uploads into a <see cref="TrustedCertificate"/>: a PEM block
/// (Entra's "Certificate (Base64)" download is one, with CRLF line ends), bare base64 DER with or without
/// line breaks, or DER bytes. Never throws.
/// </summary>
public static class CertificateParser
{
    public const int MinimumRsaKeySize = 2048;
    public const int MinimumEcKeySize = 256;

    // A certificate is a few KB; anything far larger is not one, and is refused before any decoding.
    private const int MaxInputLength = 64 * 1024;

    private const string BeginCertificate = "-----BEGIN CERTIFICATE-----";
    private const string EndCertificate = "-----END CERTIFICATE-----";

    public static CertificateParseResult Parse(string? pastedText)
    {
        if (string.IsNullOrWhiteSpace(pastedText))
        {
            return CertificateParseResult.Fail(CertificateErrorCodes.CertificateMissing, "No certificate was given.");
        }

        if (pastedText.Length > MaxInputLength)
        {
            return CertificateParseResult.Fail(CertificateErrorCodes.CertificateMalformed, "The text is too long to be one certificate.");
        }

        // Checked first: a private key must be refused loudly even when a certificate sits next to it.
        if (pastedText.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
        {
            return CertificateParseResult.Fail(CertificateErrorCodes.CertificatePrivateKey,
                "This is a private key. Paste the IdP's public signing certificate (-----BEGIN CERTIFICATE-----), and treat the key as leaked.");
        }

        string base64;
        if (pastedText.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            var blocks = CountOccurrences(pastedText, BeginCertificate);
            if (blocks != 1)
            {
                return CertificateParseResult.Fail(CertificateErrorCodes.CertificateMalformed, blocks == 0
                    ? "The PEM text holds no CERTIFICATE block."
                    : $"The PEM text holds {blocks} CERTIFICATE blocks; paste exactly one.");
            }

            var start = pastedText.IndexOf(BeginCertificate, StringComparison.Ordinal) + BeginCertificate.Length;
            var end = pastedText.IndexOf(EndCertificate, start, StringComparison.Ordinal);
            if (end < 0)
            {
                return CertificateParseResult.Fail(CertificateErrorCodes.CertificateMalformed, "The CERTIFICATE block has no END line.");
            }

            base64 = pastedText[start..end];
        }
        else
        {
            base64 = pastedText;
        }

        var compact = RemoveWhitespace(base64);
        var buffer = new byte[compact.Length * 3 / 4 + 3];
        if (compact.Length == 0 || !Convert.TryFromBase64String(compact, buffer, out var written))
        {
            return CertificateParseResult.Fail(CertificateErrorCodes.CertificateMalformed, "The text is neither a PEM certificate nor base64.");
        }

        return Parse(buffer.AsSpan(0, written).ToArray());
    }

    /// <summary>DER bytes; an uploaded file holding PEM text is accepted too.</summary>
    public static CertificateParseResult Parse(byte[]? der)
    {
        if (der is null || der.Length == 0)
        {
            return CertificateParseResult.Fail(CertificateErrorCodes.CertificateMissing, "No certificate was given.");
        }

        if (der.Length > MaxInputLength)
        {
            return CertificateParseResult.Fail(CertificateErrorCodes.CertificateMalformed, "The file is too large to be one certificate.");
        }

        // DER always starts with a SEQUENCE tag; anything else may be a PEM or base64 file.
        if (der[0] != 0x30)
        {
            return LooksLikeText(der)
                ? Parse(Encoding.ASCII.GetString(der))
                : CertificateParseResult.Fail(CertificateErrorCodes.CertificateMalformed, "The bytes are not a DER certificate.");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException)
        {
            return CertificateParseResult.Fail(CertificateErrorCodes.CertificateMalformed, "The bytes are not a DER X.509 certificate.");
        }

        using (certificate)
        {
            using var rsa = certificate.GetRSAPublicKey();
            if (rsa is not null && rsa.KeySize < MinimumRsaKeySize)
            {
                return CertificateParseResult.Fail(CertificateErrorCodes.CertificateWeakKey,
                    $"The certificate's RSA key has {rsa.KeySize} bits; at least {MinimumRsaKeySize} are required.");
            }

            using var ecdsa = rsa is null ? certificate.GetECDsaPublicKey() : null;
            if (ecdsa is not null && ecdsa.KeySize < MinimumEcKeySize)
            {
                return CertificateParseResult.Fail(CertificateErrorCodes.CertificateWeakKey,
                    $"The certificate's EC key has {ecdsa.KeySize} bits; at least {MinimumEcKeySize} are required.");
            }

            if (rsa is null && ecdsa is null)
            {
                return CertificateParseResult.Fail(CertificateErrorCodes.CertificateKeyUnsupported,
                    $"The certificate's key algorithm ({certificate.PublicKey.Oid.FriendlyName ?? certificate.PublicKey.Oid.Value}) is not supported; use RSA or ECDSA.");
            }
        }

        try
        {
            return CertificateParseResult.Success(TrustedCertificate.FromDer(der));
        }
        catch (CryptographicException e)
        {
            return CertificateParseResult.Fail(CertificateErrorCodes.CertificateMalformed, e.Message);
        }
    }

    private static int CountOccurrences(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static string RemoveWhitespace(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (!char.IsWhiteSpace(c))
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static bool LooksLikeText(byte[] bytes)
    {
        foreach (var b in bytes)
        {
            if (b is not (>= 0x20 and < 0x7f or (byte)'\r' or (byte)'\n' or (byte)'\t'))
            {
                return false;
            }
        }

        return true;
    }
}
