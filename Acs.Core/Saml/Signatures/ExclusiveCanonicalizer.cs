using System.Text;
using System.Xml;
using Acs.Core.Saml.Xml;

namespace Acs.Core.Saml.Signatures;

/// <summary>
/// Exclusive XML Canonicalization 1.0 without comments (https://www.w3.org/TR/xml-exc-c14n/) of one element's
/// subtree, straight from the parsed DOM, optionally leaving out one descendant (the enveloped ds:Signature).
/// SignedXml produces the same bytes but first re-serialises and re-parses the element twice; this is where most
/// of the validation time went. Every name and namespace written is the node's own (prefix, NamespaceURI), and
/// every value is escaped, so the output always parses back to exactly the tree that is then read and trusted.
/// Anything the canonical form cannot represent faithfully (entity references, unknown nodes) throws.
/// </summary>
internal static class ExclusiveCanonicalizer
{
    private const string XmlnsNamespace = "http://www.w3.org/2000/xmlns/";

    [ThreadStatic]
    private static StringBuilder? t_builder;

    /// <summary>
    /// The canonical bytes, or null where SignedXml's result would differ from the specification's: SignedXml
    /// round-trips the element through text first, which turns a carriage return in text, and a tab, line feed or
    /// carriage return in an attribute value, into something else. Such (rare) documents are left to SignedXml, so
    /// what verifies is exactly what verified before.
    /// </summary>
    /// <param name="inclusivePrefixes">The InclusiveNamespaces PrefixList tokens ("#default" for the default
    /// namespace): these prefixes follow the inclusive rules (rendered when in scope, used or not).</param>
    public static byte[]? TryCanonicalize(XmlElement apex, XmlElement? excluded, IReadOnlyList<string> inclusivePrefixes)
    {
        // One builder per thread, reused: the canonical form of a large response is tens of KB of characters.
        var output = t_builder ??= new StringBuilder(16 * 1024);
        output.Clear();
        try
        {
            if (!WriteElement(output, apex, excluded, inclusivePrefixes, Rendered.Empty))
            {
                return null;
            }

            var length = 0;
            foreach (var chunk in output.GetChunks())
            {
                length += Encoding.UTF8.GetByteCount(chunk.Span);
            }

            var bytes = new byte[length];
            var written = 0;
            foreach (var chunk in output.GetChunks())
            {
                written += Encoding.UTF8.GetBytes(chunk.Span, bytes.AsSpan(written));
            }

            return bytes;
        }
        finally
        {
            if (output.Capacity > 1024 * 1024)
            {
                t_builder = null;
            }
        }
    }

    /// <summary>The InclusiveNamespaces/@PrefixList under a CanonicalizationMethod or Transform, split.</summary>
    public static IReadOnlyList<string> InclusivePrefixes(XmlElement method)
    {
        var list = SamlXml.First(method, "InclusiveNamespaces", SamlConstants.ExcC14NNamespace);
        var value = list is null ? null : SamlXml.Attribute(list, "PrefixList");
        return string.IsNullOrWhiteSpace(value) ? [] : value.Split([' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries);
    }

    private static bool WriteElement(StringBuilder output, XmlElement element, XmlElement? excluded, IReadOnlyList<string> inclusivePrefixes,
        Rendered rendered)
    {
        // Namespace declarations to render here: those visibly used by the element or its attributes, plus the
        // inclusive prefixes in scope, unless the nearest output ancestor already rendered the same binding.
        var declarations = new List<KeyValuePair<string, string>>(2);
        var attributes = new List<XmlAttribute>(element.HasAttributes ? element.Attributes.Count : 0);
        Consider(declarations, rendered, element.Prefix, element.NamespaceURI);
        if (element.HasAttributes)
        {
            foreach (XmlAttribute attribute in element.Attributes)
            {
                if (attribute.NamespaceURI == XmlnsNamespace)
                {
                    continue;
                }

                attributes.Add(attribute);
                if (attribute.Prefix.Length > 0)
                {
                    Consider(declarations, rendered, attribute.Prefix, attribute.NamespaceURI);
                }
            }
        }

        foreach (var token in inclusivePrefixes)
        {
            var prefix = token == "#default" ? "" : token;
            var uri = element.GetNamespaceOfPrefix(prefix);
            if (prefix.Length == 0 || uri.Length > 0)
            {
                Consider(declarations, rendered, prefix, uri);
            }
        }

        declarations.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        attributes.Sort((a, b) => string.CompareOrdinal(a.NamespaceURI, b.NamespaceURI) is var byNamespace and not 0
            ? byNamespace
            : string.CompareOrdinal(a.LocalName, b.LocalName));

        output.Append('<').Append(element.Name);
        foreach (var (prefix, uri) in declarations)
        {
            output.Append(prefix.Length == 0 ? " xmlns=\"" : " xmlns:").Append(prefix.Length == 0 ? "" : prefix + "=\"");
            AppendAttributeValue(output, uri);
            output.Append('"');
        }

        foreach (var attribute in attributes)
        {
            if (attribute.Value.AsSpan().IndexOfAny('\t', '\n', '\r') >= 0)
            {
                return false;
            }

            output.Append(' ').Append(attribute.Name).Append("=\"");
            AppendAttributeValue(output, attribute.Value);
            output.Append('"');
        }

        output.Append('>');
        var childScope = declarations.Count == 0 ? rendered : rendered.With(declarations);
        for (var child = element.FirstChild; child is not null; child = child.NextSibling)
        {
            switch (child)
            {
                case XmlElement childElement:
                    if (!ReferenceEquals(childElement, excluded) && !WriteElement(output, childElement, excluded, inclusivePrefixes, childScope))
                    {
                        return false;
                    }

                    break;
                case XmlText or XmlCDataSection or XmlWhitespace or XmlSignificantWhitespace:
                    if (child.Value!.Contains('\r', StringComparison.Ordinal))
                    {
                        return false;
                    }

                    AppendText(output, child.Value);
                    break;
                case XmlComment:
                    break;
                case XmlProcessingInstruction instruction:
                    output.Append("<?").Append(instruction.Target);
                    if (!string.IsNullOrEmpty(instruction.Data))
                    {
                        output.Append(' ').Append(instruction.Data);
                    }

                    output.Append("?>");
                    break;
                default:
                    throw new XmlException($"A {child.NodeType} node cannot be canonicalized.");
            }
        }

        output.Append("</").Append(element.Name).Append('>');
        return true;
    }

    private static void Consider(List<KeyValuePair<string, string>> declarations, Rendered rendered, string prefix, string uri)
    {
        if (prefix is "xml" or "xmlns")
        {
            return;
        }

        // An empty default namespace is only written (as xmlns="") to undo a non-empty one rendered above.
        var current = rendered.Find(prefix) ?? (prefix.Length == 0 ? "" : null);
        if (current == uri)
        {
            return;
        }

        foreach (var existing in declarations)
        {
            if (existing.Key == prefix)
            {
                if (existing.Value != uri)
                {
                    throw new XmlException($"The prefix '{prefix}' is bound to two namespaces on one element.");
                }

                return;
            }
        }

        declarations.Add(new(prefix, uri));
    }

    private static void AppendText(StringBuilder output, string text)
    {
        foreach (var c in text)
        {
            _ = c switch
            {
                '&' => output.Append("&amp;"),
                '<' => output.Append("&lt;"),
                '>' => output.Append("&gt;"),
                _ => output.Append(c),
            };
        }
    }

    private static void AppendAttributeValue(StringBuilder output, string value)
    {
        foreach (var c in value)
        {
            _ = c switch
            {
                '&' => output.Append("&amp;"),
                '<' => output.Append("&lt;"),
                '"' => output.Append("&quot;"),
                '\t' => output.Append("&#x9;"),
                '\n' => output.Append("&#xA;"),
                '\r' => output.Append("&#xD;"),
                _ => output.Append(c),
            };
        }
    }

    /// <summary>Namespace bindings rendered by output ancestors: a persistent list, newest first.</summary>
    private sealed class Rendered
    {
        public static readonly Rendered Empty = new(null, "", "");

        private readonly Rendered? _parent;
        private readonly string _prefix;
        private readonly string _uri;

        private Rendered(Rendered? parent, string prefix, string uri)
        {
            _parent = parent;
            _prefix = prefix;
            _uri = uri;
        }

        public string? Find(string prefix)
        {
            for (var node = this; node is not null && !ReferenceEquals(node, Empty); node = node._parent)
            {
                if (node._prefix == prefix)
                {
                    return node._uri;
                }
            }

            return null;
        }

        public Rendered With(List<KeyValuePair<string, string>> declarations)
        {
            var result = this;
            foreach (var (prefix, uri) in declarations)
            {
                result = new Rendered(result, prefix, uri);
            }

            return result;
        }
    }
}
