using System.Xml;

namespace Acs.Core.Saml;

/// <summary>
/// Reads the unverified Response/@InResponseTo so the caller can look up which outstanding request to expect.
/// Nothing read here is trusted: the validator still requires the signed assertion to answer exactly that request.
/// </summary>
public static class SamlResponsePeek
{
    public static string? InResponseTo(string? samlResponseFormValue, int maxBytes)
    {
        if (string.IsNullOrWhiteSpace(samlResponseFormValue) || samlResponseFormValue.Length > (maxBytes / 3 + 1) * 8)
        {
            return null;
        }

        var buffer = new byte[samlResponseFormValue.Length];
        if (!Convert.TryFromBase64String(samlResponseFormValue, buffer, out var length))
        {
            return null;
        }

        try
        {
            using var reader = XmlReader.Create(new MemoryStream(buffer, 0, length), SafeXml.CreateReaderSettings(maxBytes));
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element)
                {
                    var value = reader.GetAttribute("InResponseTo");
                    return value is { Length: > 0 and <= 256 } ? value : null;
                }
            }
        }
        catch (XmlException)
        {
        }

        return null;
    }
}
