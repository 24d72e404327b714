using System.Xml;
using Acs.Core.Saml.Xml;

namespace Acs.Testing.TestIdp;

/// <summary>Edits of a built (usually signed) response, the raw material of tampering and wrapping tests.</summary>
public static class ResponseMutations
{
    public static XmlNamespaceManager Namespaces(XmlDocument document)
    {
        var namespaces = new XmlNamespaceManager(document.NameTable);
        namespaces.AddNamespace("samlp", SamlConstants.ProtocolNamespace);
        namespaces.AddNamespace("saml", SamlConstants.AssertionNamespace);
        namespaces.AddNamespace("ds", SamlConstants.XmlDsigNamespace);
        return namespaces;
    }

    public static XmlElement Select(XmlDocument document, string xpath) =>
        (XmlElement?)document.SelectSingleNode(xpath, Namespaces(document)) ?? throw new InvalidOperationException("No match: " + xpath);

    public static XmlElement Assertion(XmlDocument document) => Select(document, "/samlp:Response/saml:Assertion");

    public static void RemoveAllSignatures(XmlDocument document)
    {
        foreach (var signature in document.GetElementsByTagName("Signature", SamlConstants.XmlDsigNamespace).Cast<XmlElement>().ToList())
        {
            signature.ParentNode!.RemoveChild(signature);
        }
    }

    public static void SetText(XmlDocument document, string xpath, string text) => Select(document, xpath).InnerText = text;

    /// <summary>A copy of the assertion with another ID and NameID and no signature: what an attacker would
    /// like the SP to read.</summary>
    public static XmlElement EvilAssertion(XmlDocument document, string nameId = "attacker@evil.test")
    {
        var evil = (XmlElement)Assertion(document).CloneNode(deep: true);
        evil.SetAttribute("ID", "_evil_" + Guid.NewGuid().ToString("N"));
        foreach (var signature in evil.GetElementsByTagName("Signature", SamlConstants.XmlDsigNamespace).Cast<XmlElement>().ToList())
        {
            signature.ParentNode!.RemoveChild(signature);
        }

        ((XmlElement)evil.GetElementsByTagName("NameID", SamlConstants.AssertionNamespace)[0]!).InnerText = nameId;
        return evil;
    }

    public static XmlElement CreateElement(XmlDocument document, string prefix, string localName, string namespaceUri) =>
        document.CreateElement(prefix, localName, namespaceUri);
}
