using System.IO.Compression;
using System.Text;

namespace Acs.Core.Saml.Bindings;

/// <summary>The SAML HTTP-Redirect binding's message encoding: raw DEFLATE, then base64 (then URL-encoding by the caller).</summary>
public static class RedirectBinding
{
    public const int MaxInflatedBytes = 64 * 1024;

    public static string Encode(string xml)
    {
        using var buffer = new MemoryStream();
        using (var deflate = new DeflateStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            deflate.Write(Encoding.UTF8.GetBytes(xml));
        }

        return Convert.ToBase64String(buffer.ToArray());
    }

    /// <summary>Decodes a received message; null when it is not base64 of DEFLATE data or inflates past the cap (a zip bomb).</summary>
    public static byte[]? Decode(string? encoded)
    {
        if (string.IsNullOrWhiteSpace(encoded) || encoded.Length > MaxInflatedBytes)
        {
            return null;
        }

        var compressed = new byte[encoded.Length];
        if (!Convert.TryFromBase64String(encoded, compressed, out var length))
        {
            return null;
        }

        try
        {
            using var input = new DeflateStream(new MemoryStream(compressed, 0, length), CompressionMode.Decompress);
            using var output = new MemoryStream();
            var chunk = new byte[8192];
            int read;
            while ((read = input.Read(chunk, 0, chunk.Length)) > 0)
            {
                if (output.Length + read > MaxInflatedBytes)
                {
                    return null;
                }

                output.Write(chunk, 0, read);
            }

            return output.ToArray();
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }
}
