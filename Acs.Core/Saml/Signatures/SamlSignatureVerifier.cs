using System.Security.Cryptography;
using System.Xml;
using Acs.Core.Certificates;
using Acs.Core.Saml.Validation;
using Acs.Core.Saml.Xml;

namespace Acs.Core.Saml.Signatures;

/// <summary>The elements whose signatures verified, exactly as their references resolved them.</summary>
internal sealed record VerifiedElements(XmlElement? Response, XmlElement? Assertion)
{
    public SignedParts Parts => (Response is null ? SignedParts.None : SignedParts.Response)
        | (Assertion is null ? SignedParts.None : SignedParts.Assertion);
}

/// <summary>
/// Rule 8. Every ds:Signature in the document must be an enveloped signature of the Response or of the Assertion,
/// use only allowed algorithms and transforms, and verify with a configured certificate; at least one must exist.
/// Structure and allow-lists are checked on the XML first; the cryptography then runs on the canonical bytes of
/// <see cref="ExclusiveCanonicalizer"/>, the one canonicalization there is, and on nothing else.
/// </summary>
internal static class SamlSignatureVerifier
{
    private const string InclusiveC14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";

    private static readonly HashSet<string> StrongSignatureMethods = new(StringComparer.Ordinal)
    {
        SamlConstants.RsaSha256, SamlConstants.RsaSha384, SamlConstants.RsaSha512,
        SamlConstants.EcdsaSha256, SamlConstants.EcdsaSha384, SamlConstants.EcdsaSha512,
    };

    private static readonly HashSet<string> StrongDigestMethods = new(StringComparer.Ordinal)
    {
        SamlConstants.DigestSha256, SamlConstants.DigestSha384, SamlConstants.DigestSha512,
    };

    public static SamlFailure? Verify(SamlResponseDocument response, SamlValidationSettings settings, out VerifiedElements verified)
    {
        verified = new VerifiedElements(null, null);
        var signatures = response.Document.GetElementsByTagName("Signature", SamlConstants.XmlDsigNamespace).Cast<XmlElement>().ToList();
        var parents = new HashSet<XmlElement>();
        foreach (var signature in signatures)
        {
            var parent = signature.ParentNode as XmlElement;
            if (parent is null || !(ReferenceEquals(parent, response.Root) || ReferenceEquals(parent, response.Assertion)))
            {
                return new SamlFailure(SamlErrorCodes.SignatureReferenceInvalid,
                    $"A signature sits inside <{parent?.LocalName}>; only the Response and the Assertion may carry one.");
            }

            if (!parents.Add(parent))
            {
                return new SamlFailure(SamlErrorCodes.SignatureReferenceInvalid, $"The {parent.LocalName} carries more than one signature.");
            }
        }

        if (signatures.Count == 0)
        {
            return new SamlFailure(SamlErrorCodes.SignatureMissing, "Neither the Response nor the Assertion is signed.");
        }

        XmlElement? verifiedResponse = null;
        XmlElement? verifiedAssertion = null;
        foreach (var signature in signatures)
        {
            var parent = (XmlElement)signature.ParentNode!;
            IReadOnlyList<TrustedCertificate> candidates = [];
            XmlElement? resolved = null;
            var failure = CheckShape(signature, parent, settings)
                ?? SelectCertificates(signature, settings, out candidates)
                ?? CheckCryptography(signature, parent, response, candidates, out resolved);
            if (failure is not null || resolved is null)
            {
                failure ??= new SamlFailure(SamlErrorCodes.SignatureInvalid, "The signature did not verify.");
                return failure.Code == SamlErrorCodes.SignatureInvalid ? WithCertificates(failure, signature, settings) : failure;
            }

            if (ReferenceEquals(resolved, response.Root))
            {
                verifiedResponse = resolved;
            }
            else
            {
                verifiedAssertion = resolved;
            }
        }

        verified = new VerifiedElements(verifiedResponse, verifiedAssertion);
        return null;
    }

    /// <summary>Which certificates were trusted and which one the signature presented (KeyInfo), for the event log.</summary>
    private static SamlFailure WithCertificates(SamlFailure failure, XmlElement signature, SamlValidationSettings settings) =>
        failure with
        {
            Expected = string.Join(", ", settings.TrustedCertificates.Select(c => c.ThumbprintSha256)),
            Received = SamlEvidenceReader.PresentedThumbprints(signature).FirstOrDefault(),
        };

    /// <summary>Structure and allow-lists of one signature, read from the XML itself.</summary>
    private static SamlFailure? CheckShape(XmlElement signature, XmlElement parent, SamlValidationSettings settings)
    {
        // ds:Signature = SignedInfo, SignatureValue, KeyInfo?  No ds:Object: it is where wrapped content hides.
        var children = SamlXml.Children(signature).ToList();
        if (children.Count is < 2 or > 3
            || !IsDsig(children[0], "SignedInfo")
            || !IsDsig(children[1], "SignatureValue")
            || (children.Count == 3 && !IsDsig(children[2], "KeyInfo")))
        {
            return ReferenceInvalid("The signature must hold exactly SignedInfo, SignatureValue and optionally KeyInfo.");
        }

        var signedInfo = SamlXml.Children(children[0]).ToList();
        if (signedInfo.Count < 3 || !IsDsig(signedInfo[0], "CanonicalizationMethod") || !IsDsig(signedInfo[1], "SignatureMethod")
            || signedInfo.Skip(2).Any(e => !IsDsig(e, "Reference")))
        {
            return ReferenceInvalid("SignedInfo must hold CanonicalizationMethod, SignatureMethod and a Reference.");
        }

        var canonicalization = SamlXml.Attribute(signedInfo[0], "Algorithm");
        if (canonicalization != SamlConstants.ExclusiveC14N || !HasOnlyInclusiveNamespaces(signedInfo[0]))
        {
            return AlgorithmNotAllowed("canonicalization", canonicalization);
        }

        var signatureMethod = SamlXml.Attribute(signedInfo[1], "Algorithm");
        var sha1Allowed = settings.AllowSha1 && signatureMethod == SamlConstants.RsaSha1;
        if (signatureMethod is null || !(StrongSignatureMethods.Contains(signatureMethod) || sha1Allowed)
            || SamlXml.Children(signedInfo[1]).Any())
        {
            return AlgorithmNotAllowed("signature", signatureMethod);
        }

        if (signedInfo.Count != 3)
        {
            return ReferenceInvalid($"The signature has {signedInfo.Count - 2} references; exactly one is accepted.");
        }

        var reference = signedInfo[2];
        var parentId = SamlXml.Attribute(parent, "ID");
        var uri = SamlXml.Attribute(reference, "URI");
        if (!SamlXml.IsNcName(parentId) || uri != "#" + parentId)
        {
            return ReferenceInvalid($"The signature's reference must point at its own {parent.LocalName} (URI \"#{parentId}\").") with
            {
                Expected = "#" + parentId,
                Received = uri,
            };
        }

        var referenceChildren = SamlXml.Children(reference).ToList();
        if (referenceChildren.Count != 3 || !IsDsig(referenceChildren[0], "Transforms")
            || !IsDsig(referenceChildren[1], "DigestMethod") || !IsDsig(referenceChildren[2], "DigestValue"))
        {
            return ReferenceInvalid("The reference must hold Transforms, DigestMethod and DigestValue.");
        }

        if (CheckTransforms(referenceChildren[0]) is { } transformFailure)
        {
            return transformFailure;
        }

        var digestMethod = SamlXml.Attribute(referenceChildren[1], "Algorithm");
        var sha1DigestAllowed = settings.AllowSha1 && digestMethod == SamlConstants.DigestSha1;
        if (digestMethod is null || !(StrongDigestMethods.Contains(digestMethod) || sha1DigestAllowed))
        {
            return AlgorithmNotAllowed("digest", digestMethod);
        }

        return null;
    }

    /// <summary>Exactly the enveloped-signature transform followed by exclusive c14n. Anything else (XPath, XSLT,
    /// inclusive c14n, a repeated transform) could change what the digest covers; the enveloped transform alone
    /// implies inclusive c14n as the final step, which is not on the allow-list either.</summary>
    private static SamlFailure? CheckTransforms(XmlElement transforms)
    {
        var list = SamlXml.Children(transforms).ToList();
        foreach (var transform in list)
        {
            var algorithm = IsDsig(transform, "Transform") ? SamlXml.Attribute(transform, "Algorithm") : transform.LocalName;
            var allowed = algorithm switch
            {
                SamlConstants.EnvelopedSignatureTransform => !SamlXml.Children(transform).Any(),
                SamlConstants.ExclusiveC14N => HasOnlyInclusiveNamespaces(transform),
                _ => false,
            };
            if (!allowed)
            {
                return AlgorithmNotAllowed("transform", algorithm);
            }
        }

        var algorithms = list.Select(t => SamlXml.Attribute(t, "Algorithm")).ToList();
        if (algorithms is [SamlConstants.EnvelopedSignatureTransform])
        {
            return new SamlFailure(SamlErrorCodes.SignatureAlgorithmNotAllowed,
                "The reference uses the enveloped-signature transform alone, which implies inclusive c14n; exclusive c14n must follow it.")
            {
                Expected = SamlConstants.ExclusiveC14N,
                Received = InclusiveC14N + " (implied)",
            };
        }

        return algorithms is [SamlConstants.EnvelopedSignatureTransform, SamlConstants.ExclusiveC14N]
            ? null
            : ReferenceInvalid("The reference must use the enveloped-signature transform followed by exclusive c14n.");
    }

    private static bool HasOnlyInclusiveNamespaces(XmlElement method)
    {
        var children = SamlXml.Children(method).ToList();
        return children.Count == 0
            || (children.Count == 1 && children[0].LocalName == "InclusiveNamespaces"
                && children[0].NamespaceURI == SamlConstants.ExcC14NNamespace && !SamlXml.Children(children[0]).Any());
    }

    /// <summary>KeyInfo may only pick among configured certificates: a certificate it names must be one of them.</summary>
    private static SamlFailure? SelectCertificates(XmlElement signature, SamlValidationSettings settings, out IReadOnlyList<TrustedCertificate> candidates)
    {
        candidates = settings.TrustedCertificates;
        var expected = string.Join(", ", settings.TrustedCertificates.Select(c => c.ThumbprintSha256));
        if (settings.TrustedCertificates.Count == 0)
        {
            return new SamlFailure(SamlErrorCodes.CertificateUntrusted, "No IdP signing certificate is configured.");
        }

        var keyInfo = SamlXml.First(signature, "KeyInfo", SamlConstants.XmlDsigNamespace);
        var embedded = keyInfo is null
            ? []
            : SamlXml.Children(keyInfo, "X509Data", SamlConstants.XmlDsigNamespace)
                .SelectMany(d => SamlXml.Children(d, "X509Certificate", SamlConstants.XmlDsigNamespace))
                .ToList();
        if (embedded.Count == 0)
        {
            return null;
        }

        string? firstThumbprint = null;
        foreach (var element in embedded)
        {
            var der = DecodeBase64(element.InnerText);
            if (der is null)
            {
                continue;
            }

            // Equal bytes are the same certificate; the thumbprint is only needed to report a mismatch.
            foreach (var trusted in settings.TrustedCertificates)
            {
                if (der.AsSpan().SequenceEqual(trusted.Der))
                {
                    candidates = [trusted];
                    return null;
                }
            }

            firstThumbprint ??= Convert.ToHexStringLower(SHA256.HashData(der));
        }

        return new SamlFailure(SamlErrorCodes.CertificateUntrusted,
            "The response is signed with a certificate that is not configured for this IdP.")
        {
            Expected = expected,
            Received = firstThumbprint,
        };
    }

    /// <summary>The parts of a signature CheckShape has already proven to be there, in this order.</summary>
    private static (XmlElement SignedInfo, XmlElement SignatureValue, XmlElement CanonicalizationMethod, XmlElement SignatureMethod,
        XmlElement Transforms, XmlElement DigestMethod, XmlElement DigestValue) Reference(XmlElement signature)
    {
        var children = SamlXml.Children(signature).ToList();
        var signedInfo = SamlXml.Children(children[0]).ToList();
        var reference = SamlXml.Children(signedInfo[2]).ToList();
        return (children[0], children[1], signedInfo[0], signedInfo[1], reference[0], reference[1], reference[2]);
    }

    /// <summary>
    /// Rule 8's cryptography, after CheckShape has enforced every structural rule and allow-list: the reference
    /// resolves through the unique-ID index to exactly the signature's parent; the exclusive canonical form of
    /// SignedInfo must verify under a configured key, with the hash the SignatureMethod names; then the exclusive
    /// canonical form of the parent, minus this signature, must hash to DigestValue. SignedInfo is checked first: it
    /// is small, and a forged one never gets the (large) content canonicalized.
    /// </summary>
    private static SamlFailure? CheckCryptography(
        XmlElement signature,
        XmlElement parent,
        SamlResponseDocument response,
        IReadOnlyList<TrustedCertificate> candidates,
        out XmlElement? resolved)
    {
        resolved = null;
        var parts = Reference(signature);
        var parentId = SamlXml.Attribute(parent, "ID")!;
        if (!response.ElementsById.TryGetValue(parentId, out var target) || !ReferenceEquals(target, parent))
        {
            return ReferenceInvalid("The signature's reference did not resolve to its own parent.");
        }

        var digestMethod = SamlXml.Attribute(parts.DigestMethod, "Algorithm");
        var signatureMethod = SamlXml.Attribute(parts.SignatureMethod, "Algorithm")!;
        var digestValue = DecodeBase64(parts.DigestValue.InnerText);
        var signatureValue = DecodeBase64(parts.SignatureValue.InnerText);
        if (digestValue is null || signatureValue is null)
        {
            return new SamlFailure(SamlErrorCodes.SignatureInvalid, $"The {parent.LocalName} signature's DigestValue or SignatureValue is not base64.");
        }

        try
        {
            var signedInfo = ExclusiveCanonicalizer.Canonicalize(parts.SignedInfo, null,
                ExclusiveCanonicalizer.InclusivePrefixes(parts.CanonicalizationMethod));
            if (!candidates.Any(certificate => VerifySignedInfo(certificate.PublicKey, signatureMethod, signedInfo, signatureValue)))
            {
                return new SamlFailure(SamlErrorCodes.SignatureInvalid,
                    $"The {parent.LocalName} signature does not verify with the configured certificate(s): SignedInfo was changed or signed with another key.");
            }

            var transforms = SamlXml.Children(parts.Transforms).ToList();
            var content = ExclusiveCanonicalizer.Canonicalize(parent, signature, ExclusiveCanonicalizer.InclusivePrefixes(transforms[1]));
            if (!CryptographicOperations.FixedTimeEquals(Hash(digestMethod, content), digestValue))
            {
                return new SamlFailure(SamlErrorCodes.SignatureInvalid,
                    $"The {parent.LocalName} does not match its signature's digest: its content was changed after signing.");
            }
        }
        catch (Exception e) when (e is CryptographicException or XmlException or ArgumentException)
        {
            return new SamlFailure(SamlErrorCodes.SignatureInvalid, $"The {parent.LocalName} signature could not be verified: {e.Message}");
        }

        resolved = parent;
        return null;
    }

    private static byte[] Hash(string? digestMethod, byte[] data) => digestMethod switch
    {
        SamlConstants.DigestSha256 => SHA256.HashData(data),
        SamlConstants.DigestSha384 => SHA384.HashData(data),
        SamlConstants.DigestSha512 => SHA512.HashData(data),
        // Only reachable when the tenant allows SHA-1 (CheckShape).
        SamlConstants.DigestSha1 => SHA1.HashData(data),
        _ => throw new CryptographicException("unsupported digest " + digestMethod),
    };

    /// <summary>The key type must match the method: an RSA key never checks an ECDSA signature or the reverse.</summary>
    private static bool VerifySignedInfo(AsymmetricAlgorithm key, string signatureMethod, byte[] signedInfo, byte[] signatureValue)
    {
        var (isRsa, hash) = signatureMethod switch
        {
            SamlConstants.RsaSha256 => (true, HashAlgorithmName.SHA256),
            SamlConstants.RsaSha384 => (true, HashAlgorithmName.SHA384),
            SamlConstants.RsaSha512 => (true, HashAlgorithmName.SHA512),
            SamlConstants.RsaSha1 => (true, HashAlgorithmName.SHA1),
            SamlConstants.EcdsaSha256 => (false, HashAlgorithmName.SHA256),
            SamlConstants.EcdsaSha384 => (false, HashAlgorithmName.SHA384),
            SamlConstants.EcdsaSha512 => (false, HashAlgorithmName.SHA512),
            _ => throw new CryptographicException("unsupported signature method " + signatureMethod),
        };
        return (key, isRsa) switch
        {
            (RSA rsa, true) => rsa.VerifyData(signedInfo, signatureValue, hash, RSASignaturePadding.Pkcs1),
            // XML-DSig 1.1: r||s, .NET's default (IEEE P1363) format.
            (ECDsa ecdsa, false) => ecdsa.VerifyData(signedInfo, signatureValue, hash),
            _ => false,
        };
    }

    private static byte[]? DecodeBase64(string text)
    {
        // Convert skips the whitespace XML line-wraps base64 with; the length bound needs no compaction.
        var buffer = new byte[text.Length * 3 / 4 + 3];
        return Convert.TryFromBase64String(text, buffer, out var written) ? buffer.AsSpan(0, written).ToArray() : null;
    }

    private static bool IsDsig(XmlElement element, string localName) =>
        element.LocalName == localName && element.NamespaceURI == SamlConstants.XmlDsigNamespace;

    private static SamlFailure ReferenceInvalid(string message) => new(SamlErrorCodes.SignatureReferenceInvalid, message);

    private static SamlFailure AlgorithmNotAllowed(string kind, string? algorithm) =>
        new(SamlErrorCodes.SignatureAlgorithmNotAllowed, $"The {kind} algorithm is not allowed: {algorithm ?? "(none)"}.")
        {
            Received = algorithm,
        };
}
