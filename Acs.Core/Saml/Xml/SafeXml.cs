using System.Text;
using System.Xml;
using Acs.Core.Saml.Validation;

namespace Acs.Core.Saml.Xml;

/// <summary>
/// The only way this project parses untrusted XML (SAML responses, IdP metadata): no DTD (a DOCTYPE is an error,
/// never expanded), no resolver, a character cap, a nesting cap, whitespace preserved (signatures depend on it).
/// </summary>
public static class SafeXml
{
    public const long DefaultMaxCharacters = 4 * 1024 * 1024;

    /// <summary>Deeper documents are refused: canonicalization and serialization recurse per level.</summary>
    public const int MaxDepth = 64;

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
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            using var reader = XmlReader.Create(stream, CreateReaderSettings(maxCharacters));
            candidate.Load(reader);
        }
        catch (XmlException e)
        {
            errorCode = HasDoctype(bytes, maxCharacters) ? SamlErrorCodes.XmlDtdForbidden : SamlErrorCodes.XmlMalformed;
            message = errorCode == SamlErrorCodes.XmlDtdForbidden
                ? "The XML carries a DOCTYPE (DTDs are forbidden)."
                : "The XML is not well-formed: " + e.Message;
            return false;
        }
        catch (Exception e) when (e is DecoderFallbackException or ArgumentException or InvalidOperationException)
        {
            errorCode = SamlErrorCodes.XmlMalformed;
            message = "The XML could not be read: " + e.Message;
            return false;
        }

        if (candidate.DocumentElement is null)
        {
            errorCode = SamlErrorCodes.XmlMalformed;
            message = "The XML has no root element.";
            return false;
        }

        if (ExceedsDepth(candidate.DocumentElement))
        {
            errorCode = SamlErrorCodes.XmlMalformed;
            message = $"The XML is nested deeper than {MaxDepth} levels.";
            return false;
        }

        document = candidate;
        errorCode = null;
        message = null;
        return true;
    }

    /// <summary>
    /// Tells a DOCTYPE apart from other parse errors without relying on exception text: a DOCTYPE can only come
    /// before the root element, so a reader stopping at the first node after the XML declaration sees it. Only runs
    /// after a failure. Declaring entities expands nothing, there is no resolver, and the reader stops before any
    /// entity could be referenced — including in the root element's attributes.
    /// </summary>
    private static bool HasDoctype(byte[] bytes, long maxCharacters)
    {
        var settings = CreateReaderSettings(maxCharacters);
        settings.DtdProcessing = DtdProcessing.Parse;
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            using var reader = XmlReader.Create(stream, settings);
            while (reader.Read())
            {
                switch (reader.NodeType)
                {
                    case XmlNodeType.DocumentType:
                        return true;
                    case XmlNodeType.Element:
                        return false;
                }
            }

            return false;
        }
        catch (Exception e) when (e is XmlException or DecoderFallbackException or ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static bool ExceedsDepth(XmlElement root)
    {
        // Iterative on purpose: the point is to protect recursive code from a deep document.
        var stack = new Stack<(XmlNode Node, int Depth)>();
        stack.Push((root, 1));
        while (stack.Count > 0)
        {
            var (node, depth) = stack.Pop();
            if (depth > MaxDepth)
            {
                return true;
            }

            for (var child = node.FirstChild; child is not null; child = child.NextSibling)
            {
                if (child.NodeType == XmlNodeType.Element)
                {
                    stack.Push((child, depth + 1));
                }
            }
        }

        return false;
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
