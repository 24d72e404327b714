using System.Text;
using System.Xml;

namespace Acs.Core.Saml.Metadata;

/// <summary>The tenant's SP metadata, ready for Entra's "Upload metadata file".</summary>
public static class SpMetadataWriter
{
    public static string Write(string spEntityId, string acsUrl)
    {
        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false), OmitXmlDeclaration = false };
        var builder = new StringBuilder();
        using (var writer = XmlWriter.Create(new Utf8StringWriter(builder), settings))
        {
            writer.WriteStartElement("md", "EntityDescriptor", SamlMetadataNamespace);
            writer.WriteAttributeString("entityID", spEntityId);
            writer.WriteStartElement("md", "SPSSODescriptor", SamlMetadataNamespace);
            writer.WriteAttributeString("AuthnRequestsSigned", "false");
            writer.WriteAttributeString("WantAssertionsSigned", "true");
            writer.WriteAttributeString("protocolSupportEnumeration", "urn:oasis:names:tc:SAML:2.0:protocol");
            writer.WriteElementString("md", "NameIDFormat", SamlMetadataNamespace, "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress");
            writer.WriteStartElement("md", "AssertionConsumerService", SamlMetadataNamespace);
            writer.WriteAttributeString("Binding", "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST");
            writer.WriteAttributeString("Location", acsUrl);
            writer.WriteAttributeString("index", "0");
            writer.WriteAttributeString("isDefault", "true");
            writer.WriteEndElement();
            writer.WriteEndElement();
            writer.WriteEndElement();
        }

        return builder.ToString();
    }

    private const string SamlMetadataNamespace = "urn:oasis:names:tc:SAML:2.0:metadata";

    private sealed class Utf8StringWriter(StringBuilder builder) : StringWriter(builder, System.Globalization.CultureInfo.InvariantCulture)
    {
        public override Encoding Encoding => Encoding.UTF8;
    }
}
