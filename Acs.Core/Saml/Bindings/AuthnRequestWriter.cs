using System.Globalization;
using System.Text;
using System.Xml;
using Acs.Core.Saml.Xml;

namespace Acs.Core.Saml.Bindings;

/// <summary>An SP-initiated sign-in request (AuthnRequest) asking the IdP to post its response to the tenant's ACS.</summary>
public static class AuthnRequestWriter
{
    public static string Write(string requestId, DateTimeOffset issueInstant, string destination, string spEntityId, string acsUrl)
    {
        var builder = new StringBuilder();
        var settings = new XmlWriterSettings { OmitXmlDeclaration = true, Indent = false };
        using (var writer = XmlWriter.Create(builder, settings))
        {
            writer.WriteStartElement("samlp", "AuthnRequest", SamlConstants.ProtocolNamespace);
            writer.WriteAttributeString("xmlns", "saml", null, SamlConstants.AssertionNamespace);
            writer.WriteAttributeString("ID", requestId);
            writer.WriteAttributeString("Version", SamlConstants.Version);
            writer.WriteAttributeString("IssueInstant", issueInstant.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            writer.WriteAttributeString("Destination", destination);
            writer.WriteAttributeString("AssertionConsumerServiceURL", acsUrl);
            writer.WriteAttributeString("ProtocolBinding", "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST");
            writer.WriteElementString("saml", "Issuer", SamlConstants.AssertionNamespace, spEntityId);
            writer.WriteStartElement("samlp", "NameIDPolicy", SamlConstants.ProtocolNamespace);
            writer.WriteAttributeString("Format", "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress");
            writer.WriteAttributeString("AllowCreate", "true");
            writer.WriteEndElement();
            writer.WriteEndElement();
        }

        return builder.ToString();
    }

    /// <summary>A request ID: an NCName (starts with a letter or underscore) carrying 128 random bits.</summary>
    public static string NewRequestId() => "_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
}
