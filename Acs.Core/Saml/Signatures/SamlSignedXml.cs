using System.Security.Cryptography;
using System.Security.Cryptography.Xml;
using System.Xml;

namespace Acs.Core.Saml.Signatures;

/// <summary>
/// SignedXml whose reference look-up uses the document's ID index, built after duplicate IDs were refused, so an
/// ID resolves to exactly one element or to nothing (SignedXml's own look-up takes the first match, and falls back
/// to ds:Object content). Remembers what the reference resolved to: the only element the caller may then read.
/// </summary>
internal sealed class SamlSignedXml : SignedXml
{
    private readonly XmlDocument _document;
    private readonly IReadOnlyDictionary<string, XmlElement> _elementsById;

    public SamlSignedXml(XmlDocument document, IReadOnlyDictionary<string, XmlElement> elementsById)
        : base(document)
    {
        _document = document;
        _elementsById = elementsById;
        Resolver = null!;
    }

    public XmlElement? ResolvedElement { get; private set; }

    public override XmlElement? GetIdElement(XmlDocument? document, string idValue)
    {
        if (!ReferenceEquals(document, _document) || !_elementsById.TryGetValue(idValue, out var element))
        {
            // Throwing rather than returning null stops SignedXml from searching elsewhere.
            throw new CryptographicException("The signature reference does not resolve to exactly one element.");
        }

        ResolvedElement = element;
        return element;
    }
}
