using System.Text;
using System.Xml;
using Acs.Core.Saml.Validation;

namespace Acs.Core.Saml.Xml;

/// <summary>
/// The only way this project parses untrusted XML (SAML responses, IdP metadata, AuthnRequests): no DTD (any DOCTYPE
/// is refused as xml_dtd_forbidden, never expanded), no resolver, and caps on characters, nesting, attributes and
/// namespace declarations, checked while the DOM is built. Whitespace and character references are kept exactly
/// as the parser reports them (a <c>&amp;#13;</c> in text stays a carriage return): signatures depend on it.
/// </summary>
public static class SafeXml
{
    public const long DefaultMaxCharacters = 4 * 1024 * 1024;

    /// <summary>Deeper documents are refused: canonicalization and serialization recurse per level.</summary>
    public const int MaxDepth = 64;

    /// <summary>Attributes of one element, namespace declarations included. Genuine IdP output has at most about
    /// a dozen; the .NET DOM inserts attributes in time quadratic in their number per element.</summary>
    public const int MaxAttributesPerElement = 64;

    /// <summary>Namespace declarations on one element; genuine IdP output has at most about six.</summary>
    public const int MaxNamespaceDeclarationsPerElement = 32;

    /// <summary>Namespace declarations in the whole document. Genuine responses have a few dozen; the densest
    /// genuine layout (two declarations on every AttributeValue) reaches about 3,300 only at the 256 KiB size cap.</summary>
    public const int MaxNamespaceDeclarationsPerDocument = 8192;

    /// <summary>Distinct (prefix, namespace) bindings in the whole document; genuine responses have at most about six.
    /// The .NET DOM's name table slows down sharply with many of them (hundreds cost more than the rest of a
    /// validation), so repeating a few declarations is fine and inventing many is not.</summary>
    public const int MaxNamespaceBindingsPerDocument = 64;

    private const string XmlnsNamespace = "http://www.w3.org/2000/xmlns/";

    public static XmlReaderSettings CreateReaderSettings(long maxCharacters = DefaultMaxCharacters) => new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = maxCharacters,
        MaxCharactersFromEntities = 1024,
        IgnoreComments = false,
        IgnoreProcessingInstructions = false,
        IgnoreWhitespace = false,
        CloseInput = false,
    };

    /// <summary>Parses <paramref name="bytes"/>; throws <see cref="SafeXmlException"/> whose
    /// <see cref="SafeXmlException.Code"/> is xml_dtd_forbidden or xml_malformed.</summary>
    public static XmlDocument Load(byte[] bytes, long maxCharacters = DefaultMaxCharacters)
    {
        if (TryLoad(bytes, out var document, out var code, out var message, maxCharacters))
        {
            return document;
        }

        throw new SafeXmlException(code, message);
    }

    public static bool TryLoad(
        byte[] bytes,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out XmlDocument? document,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? errorCode,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? message,
        long maxCharacters = DefaultMaxCharacters)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        document = null;
        var candidate = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
        string? failure;
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            using var inner = XmlReader.Create(stream, CreateReaderSettings(maxCharacters));
            using var reader = new CappedReader(inner);
            candidate.Load(reader);
            failure = candidate.DocumentElement is null ? "The XML has no root element." : null;
        }
        catch (SafeXmlException e)
        {
            failure = e.Message;
        }
        catch (XmlException e)
        {
            failure = "The XML is not well-formed: " + e.Message;
        }
        catch (Exception e) when (e is DecoderFallbackException or ArgumentException or InvalidOperationException)
        {
            failure = "The XML could not be read: " + e.Message;
        }

        if (failure is not null)
        {
            // Whatever the reader tripped on first, a document with a DOCTYPE is reported as one.
            var hasDoctype = ContainsDoctype(bytes);
            errorCode = hasDoctype ? SamlErrorCodes.XmlDtdForbidden : SamlErrorCodes.XmlMalformed;
            message = hasDoctype ? "The XML carries a DOCTYPE (DTDs are forbidden)." : failure;
            return false;
        }

        document = candidate;
        errorCode = null;
        message = null;
        return true;
    }

    /// <summary>
    /// Whether the bytes hold a <c>&lt;!DOCTYPE</c> (any letter case) outside comments, CDATA sections and processing
    /// instructions. Runs only after a failed parse, and never parses the declaration, so nothing in it is expanded
    /// or fetched: the reader itself refuses every DOCTYPE, this only names the refusal. Markup is ASCII, so the
    /// bytes are scanned as 8-, 16- and 32-bit code units (UTF-8 and other ASCII supersets, UTF-16, UTF-32, either
    /// byte order, BOM or not) without decoding them.
    /// </summary>
    private static bool ContainsDoctype(byte[] bytes)
    {
        foreach (var (width, bigEndian) in new[] { (1, false), (2, false), (2, true), (4, false), (4, true) })
        {
            if (new UnitScanner(bytes, width, bigEndian).ContainsDoctype())
            {
                return true;
            }
        }

        return false;
    }

    private readonly struct UnitScanner(byte[] bytes, int width, bool bigEndian)
    {
        private int Length => bytes.Length / width;

        public bool ContainsDoctype()
        {
            var length = Length;
            var i = 0;
            while (i < length)
            {
                if (At(i) != '<')
                {
                    i++;
                }
                else if (Matches(i, "<!--", ignoreCase: false))
                {
                    i = After(i + 4, "-->");
                }
                else if (Matches(i, "<![CDATA[", ignoreCase: false))
                {
                    i = After(i + 9, "]]>");
                }
                else if (Matches(i, "<?", ignoreCase: false))
                {
                    i = After(i + 2, "?>");
                }
                else if (Matches(i, "<!DOCTYPE", ignoreCase: true))
                {
                    return true;
                }
                else
                {
                    i++;
                }
            }

            return false;
        }

        private int At(int index)
        {
            var offset = index * width;
            var value = 0;
            for (var b = 0; b < width; b++)
            {
                value |= bytes[offset + b] << (8 * (bigEndian ? width - 1 - b : b));
            }

            return value;
        }

        private bool Matches(int index, string token, bool ignoreCase)
        {
            if (index + token.Length > Length)
            {
                return false;
            }

            for (var k = 0; k < token.Length; k++)
            {
                var unit = At(index + k);
                var expected = token[k];
                if (unit != expected && !(ignoreCase && unit is >= 'a' and <= 'z' && unit - 32 == expected))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>The index just past the next <paramref name="end"/>, or the end of input.</summary>
        private int After(int index, string end)
        {
            for (var i = index; i < Length; i++)
            {
                if (Matches(i, end, ignoreCase: false))
                {
                    return i + end.Length;
                }
            }

            return Length;
        }
    }

    /// <summary>
    /// Passes the reader's nodes to the DOM loader unchanged, refusing an element (before the loader builds it) that
    /// is too deep or carries too many attributes or namespace declarations, and a document with too many
    /// declarations in all. The reader has parsed the start tag by then, in time linear in its length.
    /// </summary>
    private sealed class CappedReader(XmlReader inner) : XmlReader, IXmlLineInfo
    {
        private readonly HashSet<(string Prefix, string Uri)> _bindings = [];
        private int _namespaceDeclarations;

        public override XmlNodeType NodeType => inner.NodeType;

        public override string LocalName => inner.LocalName;

        public override string NamespaceURI => inner.NamespaceURI;

        public override string Prefix => inner.Prefix;

        public override string Name => inner.Name;

        public override string Value => inner.Value;

        public override bool HasValue => inner.HasValue;

        public override int Depth => inner.Depth;

        public override string BaseURI => inner.BaseURI;

        public override bool IsEmptyElement => inner.IsEmptyElement;

        public override bool IsDefault => inner.IsDefault;

        public override char QuoteChar => inner.QuoteChar;

        public override XmlSpace XmlSpace => inner.XmlSpace;

        public override string XmlLang => inner.XmlLang;

        public override int AttributeCount => inner.AttributeCount;

        public override bool EOF => inner.EOF;

        public override ReadState ReadState => inner.ReadState;

        public override XmlNameTable NameTable => inner.NameTable;

        public override bool CanResolveEntity => inner.CanResolveEntity;

        public override XmlReaderSettings? Settings => inner.Settings;

        public int LineNumber => inner is IXmlLineInfo info ? info.LineNumber : 0;

        public int LinePosition => inner is IXmlLineInfo info ? info.LinePosition : 0;

        public bool HasLineInfo() => inner is IXmlLineInfo info && info.HasLineInfo();

        public override string? GetAttribute(string name) => inner.GetAttribute(name);

        public override string? GetAttribute(string name, string? namespaceURI) => inner.GetAttribute(name, namespaceURI);

        public override string GetAttribute(int i) => inner.GetAttribute(i);

        public override bool MoveToAttribute(string name) => inner.MoveToAttribute(name);

        public override bool MoveToAttribute(string name, string? ns) => inner.MoveToAttribute(name, ns);

        public override void MoveToAttribute(int i) => inner.MoveToAttribute(i);

        public override bool MoveToFirstAttribute() => inner.MoveToFirstAttribute();

        public override bool MoveToNextAttribute() => inner.MoveToNextAttribute();

        public override bool MoveToElement() => inner.MoveToElement();

        public override bool ReadAttributeValue() => inner.ReadAttributeValue();

        public override string? LookupNamespace(string prefix) => inner.LookupNamespace(prefix);

        public override void ResolveEntity() => inner.ResolveEntity();

        public override bool Read()
        {
            if (!inner.Read())
            {
                return false;
            }

            if (inner.NodeType == XmlNodeType.Element)
            {
                CheckElement();
            }

            return true;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private void CheckElement()
        {
            if (inner.Depth >= MaxDepth)
            {
                throw Refusal($"The XML is nested deeper than {MaxDepth} levels.");
            }

            var count = inner.AttributeCount;
            if (count == 0)
            {
                return;
            }

            if (count > MaxAttributesPerElement)
            {
                throw Refusal($"An element carries {count} attributes; at most {MaxAttributesPerElement} are accepted.");
            }

            var declarations = 0;
            for (var i = 0; i < count; i++)
            {
                inner.MoveToAttribute(i);
                if (inner.NamespaceURI == XmlnsNamespace)
                {
                    declarations++;
                    if (_bindings.Add((inner.Prefix.Length == 0 ? "" : inner.LocalName, inner.Value)) && _bindings.Count > MaxNamespaceBindingsPerDocument)
                    {
                        throw Refusal($"The XML binds more than {MaxNamespaceBindingsPerDocument} distinct namespace prefixes and URIs.");
                    }
                }
            }

            inner.MoveToElement();
            if (declarations > MaxNamespaceDeclarationsPerElement)
            {
                throw Refusal($"An element declares {declarations} namespaces; at most {MaxNamespaceDeclarationsPerElement} are accepted.");
            }

            _namespaceDeclarations += declarations;
            if (_namespaceDeclarations > MaxNamespaceDeclarationsPerDocument)
            {
                throw Refusal($"The XML declares more than {MaxNamespaceDeclarationsPerDocument} namespaces.");
            }
        }

        private static SafeXmlException Refusal(string message) => new(SamlErrorCodes.XmlMalformed, message);
    }
}

/// <summary>Thrown by <see cref="SafeXml.Load"/>; <see cref="Code"/> is xml_dtd_forbidden or xml_malformed.</summary>
public sealed class SafeXmlException : Exception
{
    public SafeXmlException(string code, string message)
        : base(message) => Code = code;

    public SafeXmlException()
        : this(SamlErrorCodes.XmlMalformed, "The XML could not be read.")
    {
    }

    public SafeXmlException(string message)
        : this(SamlErrorCodes.XmlMalformed, message)
    {
    }

    public SafeXmlException(string message, Exception innerException)
        : base(message, innerException) => Code = SamlErrorCodes.XmlMalformed;

    public string Code { get; }
}
