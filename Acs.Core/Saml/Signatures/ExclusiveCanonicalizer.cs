using System.Buffers;
using System.Text;
using System.Xml;
using Acs.Core.Saml.Xml;

namespace Acs.Core.Saml.Signatures;

/// <summary>
/// Exclusive XML Canonicalization 1.0 without comments (https://www.w3.org/TR/xml-exc-c14n/) of one element's
/// subtree, straight from the parsed DOM, optionally leaving out one descendant (the enveloped ds:Signature). The
/// only canonicalizer of the verifier: what it writes is what is digested and signed, and it is written from the
/// very nodes that are read afterwards.
/// <list type="bullet">
/// <item>Characters are written exactly as the DOM holds them (the parser has already normalised raw line breaks
/// and attribute whitespace, and kept character references), escaped as the specification says: in text
/// <c>&amp; &lt; &gt;</c> and CR as <c>&amp;amp; &amp;lt; &amp;gt; &amp;#xD;</c>; in attribute values <c>&amp; &lt; "</c>
/// and TAB, LF, CR as <c>&amp;amp; &amp;lt; &amp;quot; &amp;#x9; &amp;#xA; &amp;#xD;</c>.</item>
/// <item>Namespaces: a declaration is written where the element or one of its attributes visibly uses the prefix
/// (or, for a prefix of the InclusiveNamespaces PrefixList, where it is in scope), unless an output ancestor
/// already wrote the same binding. Attributes of ancestors outside the subtree, <c>xml:*</c> included, are never
/// imported.</item>
/// <item>Every name and namespace written is the node's own (prefix, NamespaceURI), and every value is escaped,
/// so the output always parses back to exactly the tree that is then read and trusted. Anything the canonical form
/// cannot represent (entity references, unknown nodes) throws <see cref="XmlException"/>.</item>
/// </list>
/// Time and memory are linear in the size of the subtree plus the apex's ancestors' attributes: bindings written
/// by output ancestors are one dictionary, updated on the way down and restored on the way up.
/// </summary>
internal static class ExclusiveCanonicalizer
{
    private const string XmlnsNamespace = "http://www.w3.org/2000/xmlns/";

    private static readonly SearchValues<char> TextSpecials = SearchValues.Create("&<>\r");
    private static readonly SearchValues<char> AttributeSpecials = SearchValues.Create("&<\"\t\n\r");
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    [ThreadStatic]
    private static StringBuilder? t_builder;

    /// <param name="inclusivePrefixes">The InclusiveNamespaces PrefixList tokens ("#default" for the default
    /// namespace): these prefixes follow the inclusive rules (written where in scope, used or not).</param>
    public static byte[] Canonicalize(XmlElement apex, XmlElement? excluded, IReadOnlyList<string> inclusivePrefixes)
    {
        ArgumentNullException.ThrowIfNull(apex);
        ArgumentNullException.ThrowIfNull(inclusivePrefixes);

        // One builder per thread, reused: the canonical form of a large response is tens of KB of characters.
        var output = t_builder ??= new StringBuilder(16 * 1024);
        output.Clear();
        try
        {
            new Writer(output, excluded, inclusivePrefixes).WriteApex(apex);
            var length = 0;
            foreach (var chunk in output.GetChunks())
            {
                length += StrictUtf8.GetByteCount(chunk.Span);
            }

            var bytes = new byte[length];
            var written = 0;
            foreach (var chunk in output.GetChunks())
            {
                written += StrictUtf8.GetBytes(chunk.Span, bytes.AsSpan(written));
            }

            return bytes;
        }
        catch (EncoderFallbackException e)
        {
            throw new XmlException("The XML holds a character that cannot be encoded as UTF-8.", e);
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

    /// <summary>Orders strings by Unicode code point, as the specification sorts names and namespace URIs (UTF-16
    /// ordinal order differs where surrogate pairs meet U+E000–U+FFFF).</summary>
    internal static int CompareCodePoints(string a, string b)
    {
        var common = a.AsSpan().CommonPrefixLength(b);
        if (common == a.Length || common == b.Length)
        {
            return a.Length - b.Length;
        }

        int x = a[common], y = b[common];
        if (x >= 0xD800 && y >= 0xD800)
        {
            x = x >= 0xE000 ? x - 0x800 : x + 0x2000;
            y = y >= 0xE000 ? y - 0x800 : y + 0x2000;
        }

        return x - y;
    }

    private sealed class Writer(StringBuilder output, XmlElement? excluded, IReadOnlyList<string> inclusivePrefixes)
    {
        private static readonly Comparison<KeyValuePair<string, string>> ByPrefix = (a, b) => CompareCodePoints(a.Key, b.Key);

        private static readonly Comparison<XmlAttribute> ByNamespaceThenLocalName = (a, b) =>
            CompareCodePoints(a.NamespaceURI, b.NamespaceURI) is var byNamespace and not 0 ? byNamespace : CompareCodePoints(a.LocalName, b.LocalName);

        /// <summary>"" stands for #default.</summary>
        private readonly HashSet<string> _inclusive = InclusiveSet(inclusivePrefixes);

        /// <summary>The binding of each prefix as written by the output ancestors (and the current element).</summary>
        private readonly Dictionary<string, Binding> _rendered = new(StringComparer.Ordinal);

        /// <summary>What each written declaration replaced in <see cref="_rendered"/>, to restore on the way up.</summary>
        private readonly Stack<(string Prefix, Binding? Previous)> _undo = new();

        // Reused per element: consumed before the children are visited.
        private readonly List<KeyValuePair<string, string>> _declarations = [];
        private readonly List<XmlAttribute> _attributes = [];

        private int _depth;

        public void WriteApex(XmlElement apex)
        {
            if (_inclusive.Count > 0)
            {
                // The inclusive prefixes in scope at the apex, whichever ancestor declared them, are written there.
                var inScope = InScopeDeclarations(apex);
                _depth = 1;
                foreach (var prefix in _inclusive)
                {
                    if (inScope.TryGetValue(prefix, out var uri) && (prefix.Length == 0 || uri.Length > 0))
                    {
                        Render(prefix, uri);
                    }
                }

                _depth = 0;
            }

            WriteElement(apex, isApex: true);
        }

        private void WriteElement(XmlElement element, bool isApex)
        {
            _depth++;
            var undoMark = isApex ? 0 : _undo.Count;
            if (!isApex)
            {
                _declarations.Clear();
            }

            _attributes.Clear();
            RenderUsed(element.Prefix, element.NamespaceURI);
            if (element.HasAttributes)
            {
                foreach (XmlAttribute attribute in element.Attributes)
                {
                    if (attribute.NamespaceURI == XmlnsNamespace)
                    {
                        // Below the apex an inclusive prefix is written again only where it is redeclared.
                        var declared = attribute.Prefix.Length == 0 ? "" : attribute.LocalName;
                        if (!isApex && _inclusive.Contains(declared) && (declared.Length == 0 || attribute.Value.Length > 0))
                        {
                            Render(declared, attribute.Value);
                        }

                        continue;
                    }

                    _attributes.Add(attribute);
                    if (attribute.Prefix.Length > 0)
                    {
                        RenderUsed(attribute.Prefix, attribute.NamespaceURI);
                    }
                }
            }

            _declarations.Sort(ByPrefix);
            _attributes.Sort(ByNamespaceThenLocalName);

            output.Append('<').Append(element.Name);
            foreach (var (prefix, uri) in _declarations)
            {
                output.Append(prefix.Length == 0 ? " xmlns=\"" : " xmlns:");
                if (prefix.Length > 0)
                {
                    output.Append(prefix).Append("=\"");
                }

                AppendEscaped(output, uri, AttributeSpecials);
                output.Append('"');
            }

            foreach (var attribute in _attributes)
            {
                output.Append(' ').Append(attribute.Name).Append("=\"");
                AppendEscaped(output, attribute.Value, AttributeSpecials);
                output.Append('"');
            }

            output.Append('>');
            for (var child = element.FirstChild; child is not null; child = child.NextSibling)
            {
                switch (child)
                {
                    case XmlElement childElement:
                        if (!ReferenceEquals(childElement, excluded))
                        {
                            WriteElement(childElement, isApex: false);
                        }

                        break;
                    case XmlText or XmlCDataSection or XmlWhitespace or XmlSignificantWhitespace:
                        AppendEscaped(output, child.Value!, TextSpecials);
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
            while (_undo.Count > undoMark)
            {
                var (prefix, previous) = _undo.Pop();
                if (previous is { } restored)
                {
                    _rendered[prefix] = restored;
                }
                else
                {
                    _rendered.Remove(prefix);
                }
            }

            _depth--;
        }

        /// <summary>A prefix the element or one of its attributes uses (exclusive rule).</summary>
        private void RenderUsed(string prefix, string uri)
        {
            if (prefix.Length > 0 && uri.Length == 0)
            {
                throw new XmlException($"The prefix '{prefix}' is bound to no namespace.");
            }

            Render(prefix, uri);
        }

        /// <summary>Writes the declaration on the current element unless the output ancestors' binding is the same.
        /// An empty default namespace is only written (as xmlns="") to undo a non-empty one written above.</summary>
        private void Render(string prefix, string uri)
        {
            if (prefix is "xml" or "xmlns")
            {
                return;
            }

            var found = _rendered.TryGetValue(prefix, out var current);
            if (found && current.Depth == _depth)
            {
                // Already written on this element.
                if (current.Uri != uri)
                {
                    throw new XmlException($"The prefix '{prefix}' is bound to two namespaces on one element.");
                }

                return;
            }

            if ((found ? current.Uri : prefix.Length == 0 ? "" : null) == uri)
            {
                return;
            }

            _undo.Push((prefix, found ? current : null));
            _rendered[prefix] = new Binding(uri, _depth);
            _declarations.Add(new(prefix, uri));
        }

        private static HashSet<string> InclusiveSet(IReadOnlyList<string> tokens)
        {
            var set = new HashSet<string>(StringComparer.Ordinal);
            foreach (var token in tokens)
            {
                set.Add(token == "#default" ? "" : token);
            }

            return set;
        }

        /// <summary>Prefix to namespace for every declaration in scope at <paramref name="apex"/> (the nearest
        /// declaration wins), read once from the apex and its ancestors.</summary>
        private static Dictionary<string, string> InScopeDeclarations(XmlElement apex)
        {
            var chain = new List<XmlElement>();
            for (var node = apex; node is not null; node = node.ParentNode as XmlElement)
            {
                chain.Add(node);
            }

            var inScope = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = chain.Count - 1; i >= 0; i--)
            {
                if (!chain[i].HasAttributes)
                {
                    continue;
                }

                foreach (XmlAttribute attribute in chain[i].Attributes)
                {
                    if (attribute.NamespaceURI == XmlnsNamespace)
                    {
                        inScope[attribute.Prefix.Length == 0 ? "" : attribute.LocalName] = attribute.Value;
                    }
                }
            }

            return inScope;
        }
    }

    private static void AppendEscaped(StringBuilder output, string value, SearchValues<char> specials)
    {
        var rest = value.AsSpan();
        while (true)
        {
            var next = rest.IndexOfAny(specials);
            if (next < 0)
            {
                output.Append(rest);
                return;
            }

            output.Append(rest[..next]);
            output.Append(rest[next] switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\t' => "&#x9;",
                '\n' => "&#xA;",
                _ => "&#xD;",
            });
            rest = rest[(next + 1)..];
        }
    }

    private readonly record struct Binding(string Uri, int Depth);
}
