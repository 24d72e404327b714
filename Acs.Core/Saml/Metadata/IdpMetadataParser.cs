using System.Xml;
using Acs.Core.Certificates;
using Acs.Core.Saml.Xml;
using Acs.Core.Tenants;

namespace Acs.Core.Saml.Metadata;

/// <summary>What SSO needs from an IdP's SAML metadata (Entra's "Federation Metadata XML").</summary>
public sealed record IdpMetadata(string EntityId, string SsoTargetUrl, IReadOnlyList<TrustedCertificate> SigningCertificates)
{
    /// <summary>The document's <c>validUntil</c>, when it has one (on the entity or on an EntitiesDescriptor root).</summary>
    public DateTimeOffset? ValidUntil { get; init; }

    /// <summary>The document's <c>cacheDuration</c>: how long it may be used before fetching it again.</summary>
    public TimeSpan? CacheDuration { get; init; }
}

public sealed record IdpMetadataParseResult(IdpMetadata? Metadata, string? ErrorCode, string? Message)
{
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(true, nameof(Metadata))]
    public bool IsValid => Metadata is not null;

    internal static IdpMetadataParseResult Fail(string code, string message) => new(null, code, message);
}

public static class IdpMetadataErrorCodes
{
    public const string NotEntityDescriptor = "metadata_not_entity_descriptor";
    public const string NoIdpDescriptor = "metadata_no_idp_descriptor";
    public const string EntityIdInvalid = "metadata_entity_id_invalid";
    public const string NoRedirectSso = "metadata_no_redirect_sso";
    public const string SsoUrlInvalid = "metadata_sso_url_invalid";
    public const string NoSigningCertificate = "metadata_no_signing_certificate";
}

/// <summary>
/// Reads an IdP's metadata with the same hardened settings as SAML responses (<see cref="SafeXml"/>). Only the
/// IDPSSODescriptor is read: Entra's RoleDescriptors (WS-Federation) and its ds:Signature are ignored. The metadata's
/// own signature is not checked: the administrator vouches for the file, exactly as for a pasted certificate.
/// </summary>
public static class IdpMetadataParser
{
    public const string MetadataNamespace = "urn:oasis:names:tc:SAML:2.0:metadata";
    public const string HttpRedirectBinding = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
    public const long MaxCharacters = 1024 * 1024;

    private const string XmlDsigNamespace = "http://www.w3.org/2000/09/xmldsig#";
    private const string Saml2Protocol = "urn:oasis:names:tc:SAML:2.0:protocol";

    public static IdpMetadataParseResult Parse(byte[] xml)
    {
        ArgumentNullException.ThrowIfNull(xml);
        if (!SafeXml.TryLoad(xml, out var document, out var xmlCode, out var xmlMessage, MaxCharacters))
        {
            return IdpMetadataParseResult.Fail(xmlCode, xmlMessage);
        }

        var entity = FindEntity(document.DocumentElement!);
        if (entity is null)
        {
            return IdpMetadataParseResult.Fail(IdpMetadataErrorCodes.NotEntityDescriptor,
                "The XML is not SAML 2.0 metadata of one entity (expected an md:EntityDescriptor root, as in Entra's Federation Metadata XML).");
        }

        var entityId = entity.GetAttribute("entityID").Trim();
        if (!SsoRules.IsAbsoluteUri(entityId))
        {
            return IdpMetadataParseResult.Fail(IdpMetadataErrorCodes.EntityIdInvalid, "The EntityDescriptor has no entityID that is an absolute URI.");
        }

        var idp = Children(entity, "IDPSSODescriptor")
            .FirstOrDefault(d => d.GetAttribute("protocolSupportEnumeration").Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(Saml2Protocol));
        if (idp is null)
        {
            return IdpMetadataParseResult.Fail(IdpMetadataErrorCodes.NoIdpDescriptor,
                "The metadata has no IDPSSODescriptor for SAML 2.0: it does not describe a SAML identity provider.");
        }

        var redirect = Children(idp, "SingleSignOnService").FirstOrDefault(s => s.GetAttribute("Binding") == HttpRedirectBinding);
        if (redirect is null)
        {
            return IdpMetadataParseResult.Fail(IdpMetadataErrorCodes.NoRedirectSso,
                "The IDPSSODescriptor has no SingleSignOnService with the HTTP-Redirect binding (the sign-in URL).");
        }

        var location = redirect.GetAttribute("Location").Trim();
        if (!SsoRules.IsHttpsUrl(location))
        {
            return IdpMetadataParseResult.Fail(IdpMetadataErrorCodes.SsoUrlInvalid,
                $"The HTTP-Redirect SingleSignOnService Location '{location}' is not an absolute https URL.");
        }

        var certificates = new List<TrustedCertificate>();
        var index = 0;
        foreach (var keyDescriptor in Children(idp, "KeyDescriptor"))
        {
            // A KeyDescriptor without "use" serves both signing and encryption.
            if (keyDescriptor.GetAttribute("use") is not ("signing" or ""))
            {
                continue;
            }

            foreach (var x509 in keyDescriptor.GetElementsByTagName("X509Certificate", XmlDsigNamespace).OfType<XmlElement>())
            {
                index++;
                var parsed = CertificateParser.Parse(x509.InnerText);
                if (!parsed.IsValid)
                {
                    return IdpMetadataParseResult.Fail(parsed.ErrorCode!, $"Signing certificate {index} of the metadata: {parsed.Message}");
                }

                if (certificates.All(c => c.ThumbprintSha256 != parsed.Certificate.ThumbprintSha256))
                {
                    certificates.Add(parsed.Certificate);
                }
            }
        }

        if (certificates.Count == 0)
        {
            return IdpMetadataParseResult.Fail(IdpMetadataErrorCodes.NoSigningCertificate,
                "The IDPSSODescriptor has no signing certificate (KeyDescriptor use=\"signing\" with an X509Certificate).");
        }

        var root = document.DocumentElement!;
        return new IdpMetadataParseResult(new IdpMetadata(entityId, location, certificates)
        {
            ValidUntil = Earliest(ReadValidUntil(entity), ReadValidUntil(root)),
            CacheDuration = ShortestDuration(ReadCacheDuration(entity), ReadCacheDuration(root)),
        }, null, null);
    }

    // Freshness hints are advice: one that does not parse is ignored rather than refusing the whole document.
    private static DateTimeOffset? ReadValidUntil(XmlElement element) =>
        element.GetAttribute("validUntil") is { Length: > 0 } text
        && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var value)
            ? value
            : null;

    private static TimeSpan? ReadCacheDuration(XmlElement element)
    {
        if (element.GetAttribute("cacheDuration") is not { Length: > 0 } text)
        {
            return null;
        }

        try
        {
            var duration = XmlConvert.ToTimeSpan(text.Trim());
            return duration > TimeSpan.Zero ? duration : null;
        }
        catch (FormatException)
        {
            return null;
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;

    private static TimeSpan? ShortestDuration(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a < b ? a : b;

    /// <summary>The EntityDescriptor root, or the single EntityDescriptor of an EntitiesDescriptor root.</summary>
    private static XmlElement? FindEntity(XmlElement root)
    {
        if (root.NamespaceURI != MetadataNamespace)
        {
            return null;
        }

        if (root.LocalName == "EntityDescriptor")
        {
            return root;
        }

        if (root.LocalName != "EntitiesDescriptor")
        {
            return null;
        }

        var entities = Children(root, "EntityDescriptor").ToList();
        return entities.Count == 1 ? entities[0] : null;
    }

    private static IEnumerable<XmlElement> Children(XmlElement parent, string localName) =>
        parent.ChildNodes.OfType<XmlElement>().Where(e => e.LocalName == localName && e.NamespaceURI == MetadataNamespace);
}
