using System.Xml;

namespace Acs.Core.Saml.Xml;

/// <summary>Small DOM helpers. Every look-up is among direct children: SAML elements have fixed places, and
/// searching deeper is how signature-wrapping attacks get their content read.</summary>
internal static class SamlXml
{
    public static IEnumerable<XmlElement> Children(XmlElement parent, string localName, string namespaceUri)
    {
        for (var node = parent.FirstChild; node is not null; node = node.NextSibling)
        {
            if (node is XmlElement element && element.LocalName == localName && element.NamespaceURI == namespaceUri)
            {
                yield return element;
            }
        }
    }

    public static IEnumerable<XmlElement> Children(XmlElement parent)
    {
        for (var node = parent.FirstChild; node is not null; node = node.NextSibling)
        {
            if (node is XmlElement element)
            {
                yield return element;
            }
        }
    }

    /// <summary>The only such child, or null when there are none or several (<paramref name="count"/> tells).</summary>
    public static XmlElement? Single(XmlElement parent, string localName, string namespaceUri, out int count)
    {
        XmlElement? found = null;
        count = 0;
        foreach (var element in Children(parent, localName, namespaceUri))
        {
            count++;
            found ??= element;
        }

        return count == 1 ? found : null;
    }

    public static XmlElement? First(XmlElement parent, string localName, string namespaceUri) =>
        Children(parent, localName, namespaceUri).FirstOrDefault();

    /// <summary>An unqualified attribute's value, or null when absent.</summary>
    public static string? Attribute(XmlElement element, string name) => element.GetAttributeNode(name)?.Value;

    /// <summary>The text of an element that must hold exactly one text node and nothing else (no comment, no
    /// child element, no CDATA), or null. Guarantees the value read is the whole signed value.</summary>
    public static string? SingleText(XmlElement element) =>
        element.FirstChild is XmlText text && text.NextSibling is null ? text.Value : null;

    public static bool IsNcName(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        try
        {
            XmlConvert.VerifyNCName(value);
            return true;
        }
        catch (XmlException)
        {
            return false;
        }
    }
}
