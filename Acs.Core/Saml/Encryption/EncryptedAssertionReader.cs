using System.Security.Cryptography;
using System.Xml;
using Acs.Core.Saml.Validation;
using Acs.Core.Saml.Xml;

namespace Acs.Core.Saml.Encryption;

/// <summary>The content encryption of an EncryptedData: AES in CBC (XML Encryption 1.0) or GCM (1.1) mode.</summary>
internal sealed record ContentAlgorithm(string Uri, int KeyBytes, bool IsGcm)
{
    public const int CbcIvBytes = 16;
    public const int GcmNonceBytes = 12;
    public const int GcmTagBytes = 16;
}

/// <summary>The key transport of an EncryptedKey: RSA-OAEP with one hash for both OAEP and MGF1.</summary>
internal sealed record KeyTransportAlgorithm(string Uri, RSAEncryptionPadding Padding);

/// <summary>What rule 7 read from an EncryptedAssertion, before any key is used.</summary>
/// <param name="NamedCertificate">The certificate in EncryptedKey/KeyInfo/X509Data, when the sender named one.</param>
internal sealed record EncryptedAssertionParts(
    ContentAlgorithm Content,
    byte[] CipherValue,
    KeyTransportAlgorithm KeyTransport,
    byte[] WrappedKey,
    byte[]? NamedCertificate);

/// <summary>
/// Rule 7, encrypted form, before decryption: the EncryptedAssertion's structure against strict allow-lists,
/// read from the DOM the hardened parser built (no DTD, no resolver). Nothing here is handed to EncryptedXml, and
/// nothing outside the message is fetched: no CipherReference, and a RetrievalMethod may only name a sibling
/// EncryptedKey by its Id.
/// <code>
/// EncryptedAssertion = EncryptedData, EncryptedKey?   (the sibling only when a RetrievalMethod names it)
/// EncryptedData [Type=#Element] = EncryptionMethod(AES-CBC|AES-GCM), ds:KeyInfo(EncryptedKey | RetrievalMethod), CipherData(CipherValue)
/// EncryptedKey = EncryptionMethod(RSA-OAEP), ds:KeyInfo(X509Data | KeyName)?, CipherData(CipherValue), ReferenceList?, CarriedKeyName?
/// </code>
/// A structural failure is <c>assertion_decryption_failed</c>, like every failure of decryption; an algorithm outside
/// the allow-list is <c>encryption_algorithm_not_allowed</c>; a ciphertext over the cap is <c>response_too_large</c>.
/// </summary>
internal static class EncryptedAssertionReader
{
    private const string X = XmlEncConstants.Namespace;
    private const string Ds = SamlConstants.XmlDsigNamespace;

    private static readonly Dictionary<string, ContentAlgorithm> ContentAlgorithms = new(StringComparer.Ordinal)
    {
        [XmlEncConstants.Aes128Cbc] = new(XmlEncConstants.Aes128Cbc, 16, IsGcm: false),
        [XmlEncConstants.Aes256Cbc] = new(XmlEncConstants.Aes256Cbc, 32, IsGcm: false),
        [XmlEncConstants.Aes128Gcm] = new(XmlEncConstants.Aes128Gcm, 16, IsGcm: true),
        [XmlEncConstants.Aes192Gcm] = new(XmlEncConstants.Aes192Gcm, 24, IsGcm: true),
        [XmlEncConstants.Aes256Gcm] = new(XmlEncConstants.Aes256Gcm, 32, IsGcm: true),
    };

    /// <summary>
    /// Rule 7's placement checks, on the whole document: exactly one EncryptedAssertion, a direct child of the Response,
    /// no plain Assertion anywhere; with the tenant's policy <c>required</c>, a plain assertion alone is refused.
    /// </summary>
    public static SamlFailure? Locate(XmlDocument document, XmlElement root, string responseId, SamlValidationSettings settings,
        out SamlResponseDocument? response)
    {
        response = null;
        var encrypted = document.GetElementsByTagName("EncryptedAssertion", SamlConstants.AssertionNamespace);
        var plain = document.GetElementsByTagName("Assertion", SamlConstants.AssertionNamespace);
        if (encrypted.Count == 0)
        {
            return plain.Count > 0
                ? new SamlFailure(SamlErrorCodes.AssertionNotEncrypted,
                    "This site requires encrypted assertions, and the Response carries a plain Assertion. Turn on token encryption at the IdP.")
                : new SamlFailure(SamlErrorCodes.AssertionMissing, "The Response carries no Assertion.");
        }

        if (encrypted.Count > 1)
        {
            return new SamlFailure(SamlErrorCodes.AssertionMultiple,
                $"The Response carries {encrypted.Count} EncryptedAssertion elements; exactly one is accepted.");
        }

        if (plain.Count > 0)
        {
            return new SamlFailure(SamlErrorCodes.AssertionMultiple,
                "The Response carries a plain Assertion beside the EncryptedAssertion; exactly one assertion is accepted.");
        }

        var element = (XmlElement)encrypted[0]!;
        if (!ReferenceEquals(element.ParentNode, root))
        {
            return new SamlFailure(SamlErrorCodes.AssertionMissing, "The Response's EncryptedAssertion is not a direct child of the Response.");
        }

        if (settings.DecryptionKeys.Count == 0)
        {
            return new SamlFailure(SamlErrorCodes.AssertionEncryptedUnsupported,
                "The assertion is encrypted, but this site has no SP encryption key. Generate one and upload its certificate to the IdP, or turn off token encryption there.");
        }

        if (SamlResponseReader.IndexIds(root, out var elementsById) is { } duplicate)
        {
            return new SamlFailure(SamlErrorCodes.DuplicateId, "An ID value occurs more than once in the Response.")
            {
                Received = duplicate,
            };
        }

        response = new SamlResponseDocument(document, root, responseId, element, elementsById);
        return null;
    }

    public static SamlFailure? Read(XmlElement encryptedAssertion, SamlValidationSettings settings, out EncryptedAssertionParts? parts)
    {
        parts = null;
        if (!OnlyAttributes(encryptedAssertion) || !OnlyElementsAndWhitespace(encryptedAssertion, out var children))
        {
            return Malformed("EncryptedAssertion carries attributes, or holds text or other nodes besides its elements.");
        }

        if (children.Count is 0 or > 2 || !Is(children[0], X, "EncryptedData") || (children.Count == 2 && !Is(children[1], X, "EncryptedKey")))
        {
            return Malformed("EncryptedAssertion must hold exactly one EncryptedData, optionally followed by the EncryptedKey it references.");
        }

        var encryptedData = children[0];
        var siblingKey = children.Count == 2 ? children[1] : null;
        if (!OnlyAttributes(encryptedData, "Id", "Type", "MimeType"))
        {
            return Malformed("EncryptedData carries an attribute outside Id, Type and MimeType (Encoding is not accepted).");
        }

        if (SamlXml.Attribute(encryptedData, "Type") != XmlEncConstants.TypeElement)
        {
            return Malformed($"EncryptedData must have Type=\"{XmlEncConstants.TypeElement}\" (an encrypted element).");
        }

        if (!OnlyElementsAndWhitespace(encryptedData, out var dataChildren) || dataChildren.Count != 3
            || !Is(dataChildren[0], X, "EncryptionMethod") || !Is(dataChildren[1], Ds, "KeyInfo") || !Is(dataChildren[2], X, "CipherData"))
        {
            return Malformed("EncryptedData must hold exactly EncryptionMethod, ds:KeyInfo and CipherData, in this order.");
        }

        var contentUri = SamlXml.Attribute(dataChildren[0], "Algorithm");
        if (contentUri is null || !ContentAlgorithms.TryGetValue(contentUri, out var content))
        {
            return AlgorithmNotAllowed("content encryption", contentUri);
        }

        if (!OnlyAttributes(dataChildren[0], "Algorithm") || !IsEmpty(dataChildren[0]))
        {
            return Malformed("The content EncryptionMethod takes no parameters.");
        }

        if (LocateEncryptedKey(dataChildren[1], siblingKey) is { } keyFailure)
        {
            return keyFailure;
        }

        var encryptedKey = siblingKey ?? SamlXml.Children(dataChildren[1]).First();
        if (ReadEncryptedKey(encryptedKey, out var transport, out var wrappedKey, out var namedCertificate) is { } encryptedKeyFailure)
        {
            return encryptedKeyFailure;
        }

        if (ReadCipherValue(dataChildren[2], settings.MaxEncryptedAssertionBytes, "EncryptedData", out var cipherValue) is { } cipherFailure)
        {
            return cipherFailure;
        }

        parts = new EncryptedAssertionParts(content, cipherValue!, transport!, wrappedKey!, namedCertificate);
        return null;
    }

    /// <summary>EncryptedData/KeyInfo holds the EncryptedKey itself (Entra), or one RetrievalMethod naming the sibling.</summary>
    private static SamlFailure? LocateEncryptedKey(XmlElement keyInfo, XmlElement? siblingKey)
    {
        if (!OnlyAttributes(keyInfo, "Id") || !OnlyElementsAndWhitespace(keyInfo, out var keyInfoChildren) || keyInfoChildren.Count != 1)
        {
            return Malformed("EncryptedData/KeyInfo must hold exactly one EncryptedKey or one RetrievalMethod.");
        }

        var child = keyInfoChildren[0];
        if (Is(child, X, "EncryptedKey"))
        {
            return siblingKey is null ? null : Malformed("An EncryptedKey sits beside the EncryptedData although KeyInfo already holds one.");
        }

        if (!Is(child, Ds, "RetrievalMethod"))
        {
            return Malformed($"EncryptedData/KeyInfo holds <{child.LocalName}>; only EncryptedKey or RetrievalMethod is accepted.");
        }

        // No Transforms inside: a RetrievalMethod with transforms is an XPath/XSLT processor in disguise.
        var uri = SamlXml.Attribute(child, "URI");
        if (!OnlyAttributes(child, "URI", "Type") || !IsEmpty(child) || SamlXml.Attribute(child, "Type") != XmlEncConstants.TypeEncryptedKey
            || uri is null || !uri.StartsWith('#') || !SamlXml.IsNcName(uri[1..]))
        {
            return Malformed("A RetrievalMethod must be empty, have Type=\"" + XmlEncConstants.TypeEncryptedKey + "\" and URI=\"#<Id>\" of a sibling EncryptedKey.");
        }

        return siblingKey is not null && SamlXml.Attribute(siblingKey, "Id") == uri[1..]
            ? null
            : Malformed($"The RetrievalMethod's URI \"{uri}\" does not name the EncryptedKey beside the EncryptedData.");
    }

    private static SamlFailure? ReadEncryptedKey(XmlElement encryptedKey, out KeyTransportAlgorithm? transport, out byte[]? wrappedKey,
        out byte[]? namedCertificate)
    {
        transport = null;
        wrappedKey = null;
        namedCertificate = null;
        if (!OnlyAttributes(encryptedKey, "Id", "Recipient", "Type", "MimeType"))
        {
            return Malformed("EncryptedKey carries an attribute outside Id, Recipient, Type and MimeType (Encoding is not accepted).");
        }

        if (!OnlyElementsAndWhitespace(encryptedKey, out var children) || children.Count < 2 || !Is(children[0], X, "EncryptionMethod"))
        {
            return Malformed("EncryptedKey must start with EncryptionMethod.");
        }

        var index = 1;
        XmlElement? keyInfo = null;
        if (Is(children[index], Ds, "KeyInfo"))
        {
            keyInfo = children[index++];
        }

        if (index >= children.Count || !Is(children[index], X, "CipherData"))
        {
            return Malformed("EncryptedKey must hold CipherData after EncryptionMethod and the optional KeyInfo.");
        }

        var cipherData = children[index++];
        if (index < children.Count && Is(children[index], X, "ReferenceList"))
        {
            if (!IsReferenceList(children[index++]))
            {
                return Malformed("EncryptedKey/ReferenceList may only hold empty DataReference or KeyReference elements with a URI.");
            }
        }

        if (index < children.Count && Is(children[index], X, "CarriedKeyName"))
        {
            index++;
        }

        if (index != children.Count)
        {
            return Malformed($"EncryptedKey holds an unexpected <{children[index].LocalName}>.");
        }

        if (ReadKeyTransport(children[0], out transport) is { } transportFailure)
        {
            return transportFailure;
        }

        if (keyInfo is not null && ReadKeyName(keyInfo, out namedCertificate) is { } keyInfoFailure)
        {
            return keyInfoFailure;
        }

        // An RSA-wrapped AES key is one modulus long: 16 KiB covers any key size anyone uses.
        return ReadCipherValue(cipherData, 16 * 1024, "EncryptedKey", out wrappedKey);
    }

    /// <summary>RSA-OAEP only, with the hash .NET pairs with MGF1 (the same one). PKCS#1 v1.5 is refused outright.</summary>
    private static SamlFailure? ReadKeyTransport(XmlElement method, out KeyTransportAlgorithm? transport)
    {
        transport = null;
        var uri = SamlXml.Attribute(method, "Algorithm");
        if (uri == XmlEncConstants.Rsa15)
        {
            return new SamlFailure(SamlErrorCodes.EncryptionAlgorithmNotAllowed,
                "The content key is wrapped with RSA PKCS#1 v1.5 (rsa-1_5), which is refused: it admits Bleichenbacher's padding-oracle attack. Use RSA-OAEP.")
            {
                Received = uri,
            };
        }

        if (uri is not (XmlEncConstants.RsaOaepMgf1P or XmlEncConstants.RsaOaep))
        {
            return AlgorithmNotAllowed("key transport", uri);
        }

        if (!OnlyAttributes(method, "Algorithm") || !OnlyElementsAndWhitespace(method, out var parameters))
        {
            return Malformed("The key transport EncryptionMethod carries unexpected attributes or text.");
        }

        string? digest = null;
        string? mgf = null;
        foreach (var parameter in parameters)
        {
            if (Is(parameter, Ds, "DigestMethod") && digest is null && OnlyAttributes(parameter, "Algorithm") && IsEmpty(parameter))
            {
                digest = SamlXml.Attribute(parameter, "Algorithm") ?? "";
            }
            else if (uri == XmlEncConstants.RsaOaep && Is(parameter, XmlEncConstants.Namespace11, "MGF") && mgf is null
                     && OnlyAttributes(parameter, "Algorithm") && IsEmpty(parameter))
            {
                mgf = SamlXml.Attribute(parameter, "Algorithm") ?? "";
            }
            else
            {
                // OAEPparams (a label) included: .NET's OAEP takes no label, and no IdP sends one.
                return AlgorithmNotAllowed("key transport parameter", "{" + parameter.NamespaceURI + "}" + parameter.LocalName);
            }
        }

        digest ??= XmlEncConstants.DigestSha1;
        mgf ??= XmlEncConstants.Mgf1Sha1;
        // rsa-oaep-mgf1p fixes MGF1 to SHA-1; xmlenc11#rsa-oaep names it. The digest and MGF1 hash must be the same.
        var padding = (uri, digest, mgf) switch
        {
            (XmlEncConstants.RsaOaepMgf1P, XmlEncConstants.DigestSha1, _) => RSAEncryptionPadding.OaepSHA1,
            (XmlEncConstants.RsaOaep, XmlEncConstants.DigestSha1, XmlEncConstants.Mgf1Sha1) => RSAEncryptionPadding.OaepSHA1,
            (XmlEncConstants.RsaOaep, XmlEncConstants.DigestSha256, XmlEncConstants.Mgf1Sha256) => RSAEncryptionPadding.OaepSHA256,
            _ => null,
        };
        if (padding is null)
        {
            return AlgorithmNotAllowed("key transport", $"{uri} with digest {digest} and MGF {mgf}") with
            {
                Message = $"RSA-OAEP is accepted with SHA-1 or SHA-256 as both its digest and its MGF1 hash; got {uri} with digest {digest} and mask generation {mgf}.",
            };
        }

        transport = new KeyTransportAlgorithm(uri!, padding);
        return null;
    }

    /// <summary>EncryptedKey/KeyInfo may name the SP certificate (X509Data, Entra's way) or a key name; nothing is fetched.</summary>
    private static SamlFailure? ReadKeyName(XmlElement keyInfo, out byte[]? certificate)
    {
        certificate = null;
        if (!OnlyAttributes(keyInfo, "Id") || !OnlyElementsAndWhitespace(keyInfo, out var children))
        {
            return Malformed("EncryptedKey/KeyInfo carries unexpected attributes or text.");
        }

        foreach (var child in children)
        {
            if (Is(child, Ds, "KeyName"))
            {
                continue;
            }

            if (!Is(child, Ds, "X509Data") || !OnlyElementsAndWhitespace(child, out var data))
            {
                return Malformed($"EncryptedKey/KeyInfo holds <{child.LocalName}>; only X509Data and KeyName are accepted.");
            }

            foreach (var item in data)
            {
                if (Is(item, Ds, "X509Certificate") && certificate is null)
                {
                    var text = SamlXml.SingleText(item);
                    var buffer = new byte[(text?.Length ?? 0) * 3 / 4 + 3];
                    if (text is null || !Convert.TryFromBase64String(text, buffer, out var written))
                    {
                        return Malformed("EncryptedKey/KeyInfo/X509Data/X509Certificate is not base64.");
                    }

                    certificate = buffer.AsSpan(0, written).ToArray();
                }
                else if (!(Is(item, Ds, "X509IssuerSerial") || Is(item, Ds, "X509SKI") || Is(item, Ds, "X509SubjectName")))
                {
                    return Malformed($"EncryptedKey/KeyInfo/X509Data holds <{item.LocalName}>.");
                }
            }
        }

        return null;
    }

    /// <summary>CipherData holds one CipherValue of base64 text: CipherReference (an external ciphertext) is refused.</summary>
    private static SamlFailure? ReadCipherValue(XmlElement cipherData, int maxBytes, string owner, out byte[]? value)
    {
        value = null;
        if (!OnlyAttributes(cipherData) || !OnlyElementsAndWhitespace(cipherData, out var children) || children.Count != 1)
        {
            return Malformed($"{owner}/CipherData must hold exactly one CipherValue.");
        }

        if (Is(children[0], X, "CipherReference"))
        {
            return Malformed($"{owner}/CipherData uses a CipherReference: ciphertext from outside the message is never fetched.");
        }

        var cipherValue = children[0];
        if (!Is(cipherValue, X, "CipherValue") || !OnlyAttributes(cipherValue))
        {
            return Malformed($"{owner}/CipherData must hold exactly one CipherValue.");
        }

        // Text only: an element, comment or CDATA inside would mean two readings of the same ciphertext.
        var length = 0L;
        for (var node = cipherValue.FirstChild; node is not null; node = node.NextSibling)
        {
            if (node is not (XmlText or XmlWhitespace or XmlSignificantWhitespace))
            {
                return Malformed($"{owner}/CipherValue must hold base64 text only.");
            }

            length += node.Value!.Length;
        }

        // Refused from the encoded length before anything is decoded; twice the base64 length leaves room for line breaks.
        if (length > 2 * ((maxBytes + 2L) / 3 * 4) + 1024)
        {
            return TooLarge(owner, maxBytes, $"{length} base64 characters");
        }

        var text = cipherValue.InnerText;
        var buffer = new byte[text.Length * 3 / 4 + 3];
        if (!Convert.TryFromBase64String(text, buffer, out var written))
        {
            return Malformed($"{owner}/CipherValue is not base64.");
        }

        if (written > maxBytes)
        {
            return TooLarge(owner, maxBytes, $"{written} bytes");
        }

        value = buffer.AsSpan(0, written).ToArray();
        return null;
    }

    private static bool IsReferenceList(XmlElement list) =>
        OnlyAttributes(list) && OnlyElementsAndWhitespace(list, out var references) && references.Count > 0
        && references.All(r => (Is(r, X, "DataReference") || Is(r, X, "KeyReference")) && OnlyAttributes(r, "URI")
                               && SamlXml.Attribute(r, "URI") is { Length: > 1 } uri && uri[0] == '#' && IsEmpty(r));

    /// <summary>The element children, when every other child is whitespace text (no comments, CDATA, PIs or text).</summary>
    private static bool OnlyElementsAndWhitespace(XmlElement parent, out List<XmlElement> elements)
    {
        elements = [];
        for (var node = parent.FirstChild; node is not null; node = node.NextSibling)
        {
            switch (node)
            {
                case XmlElement element:
                    elements.Add(element);
                    break;
                case XmlWhitespace or XmlSignificantWhitespace:
                    break;
                case XmlText text when string.IsNullOrWhiteSpace(text.Value):
                    break;
                default:
                    return false;
            }
        }

        return true;
    }

    private static bool IsEmpty(XmlElement element) => OnlyElementsAndWhitespace(element, out var children) && children.Count == 0;

    /// <summary>Only the named unqualified attributes (namespace declarations aside).</summary>
    private static bool OnlyAttributes(XmlElement element, params string[] allowed)
    {
        if (!element.HasAttributes)
        {
            return true;
        }

        foreach (XmlAttribute attribute in element.Attributes)
        {
            var isDeclaration = attribute.NamespaceURI == "http://www.w3.org/2000/xmlns/";
            if (!isDeclaration && (attribute.NamespaceURI.Length != 0 || Array.IndexOf(allowed, attribute.LocalName) < 0))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Is(XmlElement element, string namespaceUri, string localName) =>
        element.LocalName == localName && element.NamespaceURI == namespaceUri;

    private static SamlFailure Malformed(string reason) =>
        AssertionDecryption.Failed("the EncryptedAssertion is malformed: " + reason);

    private static SamlFailure AlgorithmNotAllowed(string kind, string? algorithm) =>
        new(SamlErrorCodes.EncryptionAlgorithmNotAllowed, $"The {kind} algorithm is not allowed: {algorithm ?? "(none)"}.")
        {
            Received = algorithm,
        };

    private static SamlFailure TooLarge(string owner, int maxBytes, string received) =>
        new(SamlErrorCodes.ResponseTooLarge, $"The {owner} ciphertext is larger than {maxBytes / 1024} KiB.")
        {
            Expected = $"at most {maxBytes} bytes",
            Received = received,
        };
}
