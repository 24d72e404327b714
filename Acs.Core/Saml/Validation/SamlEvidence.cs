using System.Security.Cryptography;
using System.Xml;
using Acs.Core.Saml.Xml;

namespace Acs.Core.Saml.Validation;

/// <summary>
/// Facts read from a refused response, to explain the refusal (Acs.Core.Diagnosis), never to decide it: apart from what
/// rules 9–12 read from a verified assertion, none of it is covered by a verified signature. Values are bounded in
/// length and number, so a hostile response cannot make the record large.
/// </summary>
public sealed record SamlEvidence
{
    public string? ResponseIssuer { get; init; }

    public string? AssertionIssuer { get; init; }

    public string? Destination { get; init; }

    public DateTimeOffset? ResponseIssueInstant { get; init; }

    public DateTimeOffset? AssertionIssueInstant { get; init; }

    /// <summary>Every Audience of every AudienceRestriction.</summary>
    public IReadOnlyList<string> Audiences { get; init; } = [];

    /// <summary>The Recipient of every bearer SubjectConfirmationData.</summary>
    public IReadOnlyList<string> Recipients { get; init; } = [];

    public string? StatusCode { get; init; }

    public string? SecondLevelStatusCode { get; init; }

    public string? StatusMessage { get; init; }

    /// <summary>SignatureMethod and DigestMethod algorithms of the signatures present.</summary>
    public IReadOnlyList<string> SignatureAlgorithms { get; init; } = [];

    /// <summary>SHA-256 thumbprints (lower-case hex) of the certificates the signatures' KeyInfo carries.</summary>
    public IReadOnlyList<string> PresentedCertificateThumbprints { get; init; } = [];

    /// <summary>Names of the assertion's attributes.</summary>
    public IReadOnlyList<string> AttributeNames { get; init; } = [];
}

/// <summary>Reads <see cref="SamlEvidence"/> from a parsed response. Never throws; what cannot be read is left out.</summary>
internal static class SamlEvidenceReader
{
    private const int MaxValueLength = 512;
    private const int MaxValues = 32;
    private const string A = SamlConstants.AssertionNamespace;
    private const string P = SamlConstants.ProtocolNamespace;
    private const string Ds = SamlConstants.XmlDsigNamespace;

    /// <param name="assertion">The assertion to read, or null to take the Response's single Assertion child, if any.</param>
    public static SamlEvidence Read(XmlElement root, XmlElement? assertion = null)
    {
        try
        {
            assertion ??= SamlXml.Single(root, "Assertion", A, out _);
            var status = SamlXml.First(root, "Status", P);
            var statusCode = status is null ? null : SamlXml.First(status, "StatusCode", P);
            var secondLevel = statusCode is null ? null : SamlXml.First(statusCode, "StatusCode", P);
            var signatures = new[] { root, assertion }
                .Where(e => e is not null)
                .Select(e => SamlXml.First(e!, "Signature", Ds))
                .Where(s => s is not null)
                .Cast<XmlElement>()
                .ToList();
            var conditions = assertion is null ? null : SamlXml.First(assertion, "Conditions", A);
            var subject = assertion is null ? null : SamlXml.First(assertion, "Subject", A);
            return new SamlEvidence
            {
                ResponseIssuer = Text(SamlXml.First(root, "Issuer", A)),
                AssertionIssuer = assertion is null ? null : Text(SamlXml.First(assertion, "Issuer", A)),
                Destination = Bounded(SamlXml.Attribute(root, "Destination")),
                ResponseIssueInstant = Time(root),
                AssertionIssueInstant = assertion is null ? null : Time(assertion),
                Audiences = conditions is null
                    ? []
                    : Bounded(SamlXml.Children(conditions, "AudienceRestriction", A).SelectMany(r => SamlXml.Children(r, "Audience", A)).Select(Text)),
                Recipients = subject is null
                    ? []
                    : Bounded(SamlXml.Children(subject, "SubjectConfirmation", A)
                        .Select(c => SamlXml.First(c, "SubjectConfirmationData", A))
                        .Select(d => d is null ? null : SamlXml.Attribute(d, "Recipient"))),
                StatusCode = statusCode is null ? null : Bounded(SamlXml.Attribute(statusCode, "Value")),
                SecondLevelStatusCode = secondLevel is null ? null : Bounded(SamlXml.Attribute(secondLevel, "Value")),
                StatusMessage = status is null ? null : Text(SamlXml.First(status, "StatusMessage", P)),
                SignatureAlgorithms = Bounded(signatures.SelectMany(Algorithms)),
                PresentedCertificateThumbprints = Bounded(signatures.SelectMany(PresentedThumbprints)),
                AttributeNames = assertion is null
                    ? []
                    : Bounded(SamlXml.Children(assertion, "AttributeStatement", A)
                        .SelectMany(s => SamlXml.Children(s, "Attribute", A))
                        .Select(a => SamlXml.Attribute(a, "Name"))),
            };
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Evidence only explains a verdict already reached; failing to read it must never change that verdict.
            return new SamlEvidence();
        }
    }

    /// <summary>SHA-256 thumbprints of the X509Certificate values in a signature's KeyInfo (those that decode).</summary>
    public static IEnumerable<string> PresentedThumbprints(XmlElement signature)
    {
        var keyInfo = SamlXml.First(signature, "KeyInfo", Ds);
        if (keyInfo is null)
        {
            yield break;
        }

        foreach (var certificate in SamlXml.Children(keyInfo, "X509Data", Ds).SelectMany(d => SamlXml.Children(d, "X509Certificate", Ds)))
        {
            var text = certificate.InnerText;
            var buffer = new byte[text.Length * 3 / 4 + 3];
            if (Convert.TryFromBase64String(text, buffer, out var written) && written > 0)
            {
                yield return Convert.ToHexStringLower(SHA256.HashData(buffer.AsSpan(0, written)));
            }
        }
    }

    private static IEnumerable<string?> Algorithms(XmlElement signature)
    {
        var signedInfo = SamlXml.First(signature, "SignedInfo", Ds);
        if (signedInfo is null)
        {
            yield break;
        }

        var method = SamlXml.First(signedInfo, "SignatureMethod", Ds);
        yield return method is null ? null : SamlXml.Attribute(method, "Algorithm");
        foreach (var reference in SamlXml.Children(signedInfo, "Reference", Ds))
        {
            var digest = SamlXml.First(reference, "DigestMethod", Ds);
            yield return digest is null ? null : SamlXml.Attribute(digest, "Algorithm");
        }
    }

    private static DateTimeOffset? Time(XmlElement element) =>
        SamlTime.TryParse(SamlXml.Attribute(element, "IssueInstant"), out var time) ? time : null;

    private static string? Text(XmlElement? element) => element is null ? null : Bounded(element.InnerText.Trim());

    private static string? Bounded(string? value) => value is { Length: > MaxValueLength } ? value[..MaxValueLength] : value;

    private static IReadOnlyList<string> Bounded(IEnumerable<string?> values) =>
        values.Where(v => !string.IsNullOrEmpty(v)).Select(v => Bounded(v)!).Distinct(StringComparer.Ordinal).Take(MaxValues).ToList();
}
