using Acs.Core.Saml.Validation;

namespace Acs.Core.Saml.Bindings;

/// <summary>Rule 1: the SAMLResponse form value to bytes, cheaply refusing oversize input before decoding.</summary>
internal static class SamlResponseDecoder
{
    public static SamlFailure? TryDecode(string? formValue, int maxBytes, out byte[] bytes)
    {
        bytes = [];
        if (string.IsNullOrWhiteSpace(formValue))
        {
            return new SamlFailure(SamlErrorCodes.ResponseMissing, "The SAMLResponse form field is missing or empty.");
        }

        long maxEncodedChars = ((long)maxBytes + 2) / 3 * 4;

        // Line breaks may at most double the length of genuine base64; beyond that, refuse without scanning.
        if (formValue.Length > maxEncodedChars * 2 + 1024)
        {
            return TooLarge(maxBytes, $"{formValue.Length} characters");
        }

        long significant = 0;
        foreach (var c in formValue)
        {
            if (c is not (' ' or '\t' or '\r' or '\n'))
            {
                significant++;
            }
        }

        if (significant > maxEncodedChars)
        {
            return TooLarge(maxBytes, $"{significant} base64 characters");
        }

        // Convert skips the four whitespace characters above and rejects everything else that is not base64
        // (URL-safe alphabet, misplaced padding, a length that is not a multiple of four).
        var buffer = new byte[significant / 4 * 3 + 3];
        if (!Convert.TryFromBase64String(formValue, buffer, out var written))
        {
            return new SamlFailure(SamlErrorCodes.ResponseNotBase64, "The SAMLResponse form field is not valid base64.");
        }

        if (written > maxBytes)
        {
            return TooLarge(maxBytes, $"{written} bytes");
        }

        bytes = buffer.AsSpan(0, written).ToArray();
        return null;
    }

    public static SamlFailure TooLarge(int maxBytes, string received) =>
        new(SamlErrorCodes.ResponseTooLarge, $"The SAML response is larger than {maxBytes} bytes.")
        {
            Expected = $"at most {maxBytes} bytes",
            Received = received,
        };
}
