using System.Text;
using System.Xml;
using Acs.Core.Saml.Xml;

namespace Acs.Core.Saml.Metadata;

/// <summary>The tenant's SP metadata, ready for Entra's "Upload metadata file".</summary>
public static class SpMetadataWriter
{
    /// <param name="encryptionCertificates">The tenant's active SP encryption certificates (DER), published as
    /// <c>KeyDescriptor use="encryption"</c> with the algorithms the validator accepts.</param>
    public static string Write(string spEntityId, string acsUrl, IReadOnlyList<byte[]>? encryptionCertificates = null)
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
            foreach (var certificate in encryptionCertificates ?? [])
            {
                WriteEncryptionKey(writer, certificate);
            }

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

    /// <summary>KeyDescriptor comes first in SPSSODescriptor (schema order); the EncryptionMethods tell metadata-driven
    /// IdPs what this site decrypts, strongest first.</summary>
    private static void WriteEncryptionKey(XmlWriter writer, byte[] certificate)
    {
        writer.WriteStartElement("md", "KeyDescriptor", SamlMetadataNamespace);
        writer.WriteAttributeString("use", "encryption");
        writer.WriteStartElement("ds", "KeyInfo", SamlConstants.XmlDsigNamespace);
        writer.WriteStartElement("ds", "X509Data", SamlConstants.XmlDsigNamespace);
        writer.WriteElementString("ds", "X509Certificate", SamlConstants.XmlDsigNamespace, Convert.ToBase64String(certificate));
        writer.WriteEndElement();
        writer.WriteEndElement();
        foreach (var algorithm in new[]
                 {
                     Encryption.XmlEncConstants.Aes256Gcm, Encryption.XmlEncConstants.Aes128Gcm, Encryption.XmlEncConstants.Aes256Cbc,
                     Encryption.XmlEncConstants.Aes128Cbc, Encryption.XmlEncConstants.RsaOaep, Encryption.XmlEncConstants.RsaOaepMgf1P,
                 })
        {
            writer.WriteStartElement("md", "EncryptionMethod", SamlMetadataNamespace);
            writer.WriteAttributeString("Algorithm", algorithm);
            writer.WriteEndElement();
        }

        writer.WriteEndElement();
    }

    private sealed class Utf8StringWriter(StringBuilder builder) : StringWriter(builder, System.Globalization.CultureInfo.InvariantCulture)
    {
        public override Encoding Encoding => Encoding.UTF8;
    }
}
