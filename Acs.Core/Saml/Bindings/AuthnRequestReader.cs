using Acs.Core.Saml.Xml;

namespace Acs.Core.Saml.Bindings;

/// <summary>What an IdP needs from a received AuthnRequest (HTTP-Redirect binding): its ID and where to answer.</summary>
public sealed record AuthnRequestInfo(string Id, string? AssertionConsumerServiceUrl, string? Issuer);

public static class AuthnRequestReader
{
    /// <summary>Decodes and parses a SAMLRequest query value with the hardened XML settings; null when it is not an AuthnRequest.</summary>
    public static AuthnRequestInfo? TryRead(string? samlRequest)
    {
        var xml = RedirectBinding.Decode(samlRequest);
        if (xml is null || !SafeXml.TryLoad(xml, out var document, out _, out _))
        {
            return null;
        }

        var root = document.DocumentElement;
        if (root is not { LocalName: "AuthnRequest", NamespaceURI: SamlConstants.ProtocolNamespace }
            || SamlXml.Attribute(root, "ID") is not { } id || !SamlXml.IsNcName(id))
        {
            return null;
        }

        return new AuthnRequestInfo(id, SamlXml.Attribute(root, "AssertionConsumerServiceURL"),
            SamlXml.First(root, "Issuer", SamlConstants.AssertionNamespace)?.InnerText);
    }
}
